/** `npm run keys`: prints a new private signing key (EC P-256 JWK with a kid) for JWT_PRIVATE_JWKS. */
import { generatePrivateJwk } from '../lib/auth/keys.js';

const jwk = await generatePrivateJwk();
process.stdout.write(`${JSON.stringify([jwk])}\n`);
