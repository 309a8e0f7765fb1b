/** `OpenStack-API-Version` negotiation as Nova and Cinder do it: parse, check the range, echo the version used. */
import { header, OsHttpError, type OsRequest } from './http.js';

export interface Microversion {
  major: number;
  minor: number;
  /** e.g. `2.60` */
  text: string;
  /** Headers to send back. */
  headers: Record<string, string>;
}

export interface MicroversionSpec {
  service: 'compute' | 'volume';
  min: number;
  max: number;
  major: number;
  /** Nova's legacy `X-OpenStack-Nova-API-Version`. */
  legacyHeader?: string;
  fault(status: number, message: string): OsHttpError;
}

export function negotiate(req: OsRequest, spec: MicroversionSpec): Microversion {
  let requested: string | undefined;
  const modern = header(req, 'openstack-api-version');
  if (modern) {
    for (const part of modern.split(',')) {
      const [svc, ver] = part.trim().split(/\s+/);
      if (svc?.toLowerCase() === spec.service && ver) requested = ver;
    }
  }
  if (requested === undefined && spec.legacyHeader) requested = header(req, spec.legacyHeader)?.trim();
  let minor = spec.min;
  if (requested !== undefined) {
    if (requested.toLowerCase() === 'latest') minor = spec.max;
    else {
      const m = /^(\d+)\.(\d+)$/.exec(requested);
      if (!m) throw spec.fault(400, `API Version String ${requested} is of invalid format. Must be of format MajorNum.MinorNum.`);
      if (Number(m[1]) !== spec.major || Number(m[2]) < spec.min || Number(m[2]) > spec.max)
        throw spec.fault(
          406,
          `Version ${requested} is not supported by the API. Minimum is ${spec.major}.${spec.min} and maximum is ${spec.major}.${spec.max}.`,
        );
      minor = Number(m[2]);
    }
  }
  const text = `${spec.major}.${minor}`;
  const headers: Record<string, string> = { 'OpenStack-API-Version': `${spec.service} ${text}`, Vary: 'OpenStack-API-Version' };
  if (spec.legacyHeader) {
    headers['X-OpenStack-Nova-API-Version'] = text;
    headers.Vary = 'OpenStack-API-Version, X-OpenStack-Nova-API-Version';
  }
  return { major: spec.major, minor, text, headers };
}

/** Nova and Cinder wrap faults under a name derived from the status (their `Fault` wrapper). */
const FAULT_NAMES: Record<number, string> = {
  400: 'badRequest',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'itemNotFound',
  405: 'badMethod',
  409: 'conflictingRequest',
  413: 'overLimit',
  415: 'badMediaType',
  429: 'overLimit',
  501: 'notImplemented',
  503: 'serviceUnavailable',
};

export function wrappedFault(status: number, message: string, extra: Record<string, unknown> = {}): OsHttpError {
  const name = FAULT_NAMES[status] ?? 'computeFault';
  return new OsHttpError({ status, body: { [name]: { code: status, message, ...extra } } }, message);
}
