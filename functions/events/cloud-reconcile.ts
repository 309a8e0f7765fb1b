import { logger } from '../../lib/core/logger.js';
import { cloud } from '../../lib/compute/cloud.js';
import { reconcile } from '../../lib/compute/reconcile.js';
import { platform } from '../../lib/platform.js';

/** The drift reconciliation schedule (EventBridge, every 5 minutes; locally the offline stack's scheduler). */
export async function handler(): Promise<{ checked: Record<string, number>; drift: number; orphans: number; errors: number }> {
  const report = await reconcile((await platform()).db, cloud());
  const summary = { checked: report.checked, drift: report.drift.length, orphans: report.orphans.length, errors: report.errors.length };
  logger.info('cloud reconciliation', {
    ...summary,
    cleared: report.cleared.length,
    released: report.released.length,
    swept: report.swept.length,
  });
  return summary;
}
