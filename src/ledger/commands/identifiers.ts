/** The shapes of names and digests every capability accepts (checked in DTOs, relied on in streams). */
export const RESOURCE_NAME = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
export const RESOURCE_NAME_HINT =
  'lower-case letters, digits and inner hyphens, at most 64 (e.g. credit-risk)';
export const VERSION = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,62}[A-Za-z0-9])?$/;
export const VERSION_HINT =
  'letters, digits, dots, hyphens and underscores, at most 64 (e.g. 1.4.0)';
export const ENVIRONMENT = /^[a-z](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
export const ENVIRONMENT_HINT = 'lower-case letters, digits and inner hyphens (e.g. production)';
export const PRODUCTION = 'production';
/** A content or artifact digest: `sha256:` and 64 lower-case hex digits. */
export const REGION = /^[A-Za-z0-9-]{2,32}$/;
export const REGION_HINT = 'a region or country code such as ap-southeast-2 or AU';

export const SHA256_DIGEST = /^sha256:[0-9a-f]{64}$/;
export const SHA256_DIGEST_HINT = 'sha256: followed by 64 lower-case hex digits';
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A deployment is one model in one environment: its id is `<model>.<environment>`. */
export function deploymentId(model: string, environment: string): string {
  return `${model}.${environment}`;
}

export function parseDeploymentId(id: string): { model: string; environment: string } | undefined {
  const dot = id.indexOf('.');
  if (dot < 0) return undefined;
  const model = id.slice(0, dot);
  const environment = id.slice(dot + 1);
  return RESOURCE_NAME.test(model) && ENVIRONMENT.test(environment)
    ? { model, environment }
    : undefined;
}
