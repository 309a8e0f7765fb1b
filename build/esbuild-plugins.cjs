// esbuild plugins for the Lambda bundles (serverless-esbuild `plugins`).
// zod re-exports its ~50 message locales from one index (`z.locales`), which defeats tree shaking and
// would add ~300 KB to every function. The API localises its own messages (lib/http/i18n.ts) and zod's
// default English messages come from `locales/en.js`, so the index is replaced by English alone.
const path = require('node:path');

const zodLocalesEnglishOnly = {
  name: 'zod-locales-english-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => {
      if (!args.importer.includes(`${path.sep}zod${path.sep}`)) return undefined;
      return { path: path.join(path.dirname(args.importer), '../locales/index.js'), namespace: 'zod-locales' };
    });
    build.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(path.join(path.dirname(args.path), 'en.js'))};`,
      resolveDir: path.dirname(args.path),
      loader: 'js',
    }));
  },
};

// axios's Node build imports `form-data` (with mime-db: ~140 KB) for multipart bodies; the OpenStack client
// sends JSON only. Like axios's own browser build, its FormData class becomes `null`.
const axiosWithoutFormData = {
  name: 'axios-without-form-data',
  setup(build) {
    build.onResolve({ filter: /^form-data$/ }, (args) => {
      if (!args.importer.includes(`${path.sep}axios${path.sep}`)) return undefined;
      const axiosLib = args.importer.slice(0, args.importer.lastIndexOf(`${path.sep}axios${path.sep}`) + '/axios/'.length);
      return { path: path.join(axiosLib, 'lib', 'helpers', 'null.js') };
    });
  },
};

module.exports = [zodLocalesEnglishOnly, axiosWithoutFormData];
