// The cloud catalog routes: what a client needs to ask for a VM, and the project's quotas.
import { routeSpec } from '../../../lib/http/http-function.js';
import { PageOf } from '../../../lib/http/pagination.js';
import { ErrorBody } from '../../../lib/http/openapi-schemas.js';
import * as z from '../../../lib/http/zod.js';
import { FlavorListQuery, FlavorView, ImageListQuery, ImageView, QuotasView } from '../../../lib/compute/schemas.js';

const errors = {
  403: { description: 'FORBIDDEN', schema: ErrorBody },
  503: { description: 'SERVICE_UNAVAILABLE (openstack)', schema: ErrorBody },
};

export const listFlavors = routeSpec({
  method: 'GET',
  path: '/api/v1/flavors',
  summary: 'Flavors (vCPUs, RAM MiB, disk GiB), smallest first',
  tags: ['catalog'],
  permission: 'flavor:r',
  query: FlavorListQuery,
  responses: { 200: { description: 'Flavors', schema: PageOf(FlavorView) }, ...errors },
});

export const listImages = routeSpec({
  method: 'GET',
  path: '/api/v1/images',
  summary: 'Active images, by name',
  tags: ['catalog'],
  permission: 'image:r',
  query: ImageListQuery,
  responses: { 200: { description: 'Images', schema: PageOf(ImageView) }, ...errors },
});

export const getQuotas = routeSpec({
  method: 'GET',
  path: '/api/v1/quotas',
  summary: "The project's limits and usage for compute, network and volume (available null = unlimited)",
  tags: ['catalog'],
  permission: 'quota:r',
  responses: { 200: { description: 'Quotas', schema: QuotasView }, ...errors },
});

const DriftEntry = z.object({ kind: z.string(), id: z.string(), name: z.string(), drift: z.jsonObject() });
export const ReconciliationView = z.object({
  started_at: z.string(),
  ended_at: z.string(),
  checked: z.record(z.string(), z.integer()),
  drift: z.array(DriftEntry),
  cleared: z.array(z.object({ kind: z.string(), id: z.string() })),
  released: z.array(z.object({ kind: z.string(), id: z.string(), task: z.string() })),
  swept: z.array(z.object({ kind: z.string(), id: z.string(), left: z.integer() })),
  orphans: z.array(z.object({ kind: z.string(), cloud_id: z.string(), name: z.nullable(z.string()), claimed_by: z.string() })),
  errors: z.array(z.object({ kind: z.string(), message: z.string() })),
});

export const lastReconciliation = routeSpec({
  method: 'GET',
  path: '/api/v1/cloud/reconciliation',
  summary: 'The last drift reconciliation run (every 5 minutes): drift found, cleared, orphans, leftovers swept',
  tags: ['catalog'],
  permission: 'instance:r',
  responses: {
    200: { description: 'The last run', schema: ReconciliationView },
    404: { description: 'RECONCILIATION_NOT_RUN (no run yet)', schema: ErrorBody },
    ...errors,
  },
});
