/**
 * docker-compose.yml is the production shape (README, "Production shape"): no Docker engine runs
 * here, so its structure is checked instead. API replicas behind the load balancer, two
 * projectors, EventStoreDB and PostgreSQL; every Attest process's environment passes the
 * service's own configuration check for its role.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORE_SCHEMA, load, mergeTag } from 'js-yaml';
import { loadConfig } from '../../src/config/app-config';

const ROOT = join(__dirname, '../..');

interface Service {
  image?: string;
  build?: string;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }> | string[];
  deploy?: { replicas?: number };
  volumes?: string[];
  ports?: string[];
  networks?: string[] | Record<string, { ipv4_address?: string }>;
  healthcheck?: { test: string[] };
}

interface Compose {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
  networks: Record<string, { ipam: { config: { subnet: string }[] } }>;
}

/** `${NAME:-default}` as Compose interpolates it with NAME unset. */
function interpolated(value: string): string {
  return value.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');
}

describe('docker-compose.yml', () => {
  // Compose reads YAML merge keys (`<<: *attest`): the shared settings of the Attest processes.
  const compose = load(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), {
    schema: CORE_SCHEMA.withTags(mergeTag),
  }) as Compose;
  const { services } = compose;
  const envOf = (name: string) =>
    Object.fromEntries(
      Object.entries(services[name].environment ?? {}).map(([key, value]) => [
        key,
        interpolated(String(value)),
      ]),
    );

  it('runs API replicas, two projectors, a load balancer, EventStoreDB and PostgreSQL', () => {
    expect(Object.keys(services).sort()).toEqual([
      'api',
      'eventstore',
      'lb',
      'postgres',
      'projector',
    ]);
    expect(services.api.deploy?.replicas).toBeGreaterThanOrEqual(2);
    expect(services.projector.deploy?.replicas).toBe(2);
    expect(services.eventstore.image).toMatch(/^eventstore\/eventstore:/);
    expect(services.postgres.image).toMatch(/^postgres:15-bookworm$/);
    expect(services.lb.image).toMatch(/^nginx:[\d.]+-bookworm$/);
  });

  it('gives each Attest process its role and the shared stores, which its configuration accepts', () => {
    for (const [name, role] of [
      ['api', 'api'],
      ['projector', 'projector'],
    ] as const) {
      const env = envOf(name);
      const config = loadConfig(env);
      expect(config.role).toBe(role);
      expect(config.eventStoreConnectionString).toBe('esdb://eventstore:2113?tls=false');
      expect(config.databaseUrl).toBe('postgres://attest:attest@postgres:5432/attest');
      expect(services[name].build).toBe('.');
      expect(services[name].volumes).toEqual(['attest-data:/var/lib/attest']);
      expect(services[name].depends_on).toEqual({
        eventstore: { condition: 'service_healthy' },
        postgres: { condition: 'service_healthy' },
      });
      // A replica publishes no port of its own: the API is reached through the load balancer.
      expect(services[name].ports).toBeUndefined();
    }
    expect(envOf('api')).toMatchObject({ DATA_DIR: '/var/lib/attest' });
  });

  it('puts the API behind the load balancer, and believes only its X-Forwarded-For', () => {
    const lb = services.lb;
    expect(lb.ports).toEqual(['3000:80']);
    expect(lb.depends_on).toEqual(['api']);
    const address = (lb.networks as Record<string, { ipv4_address: string }>).attest.ipv4_address;
    expect(loadConfig(envOf('api')).trustProxy).toEqual([address]);
    const [subnet] = compose.networks.attest.ipam.config;
    expect(address.startsWith(subnet.subnet.replace(/0\/24$/, ''))).toBe(true);
    const [mount] = lb.volumes as string[];
    const [file, target] = mount.split(':');
    expect(target).toBe('/etc/nginx/conf.d/default.conf');
    const nginx = readFileSync(join(ROOT, file), 'utf8');
    expect(nginx).toMatch(/set \$api http:\/\/api:3000;\s+proxy_pass \$api;/);
    expect(nginx).toMatch(/resolver 127\.0\.0\.11/);
    expect(nginx).toMatch(/proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;/);
  });

  it('declares every volume and network it uses, and health checks for the stores', () => {
    for (const service of Object.values(services)) {
      for (const volume of service.volumes ?? []) {
        const [source] = volume.split(':');
        if (source.startsWith('.')) expect(existsSync(join(ROOT, source))).toBe(true);
        else expect(Object.keys(compose.volumes)).toContain(source);
      }
      const networks = Array.isArray(service.networks)
        ? service.networks
        : Object.keys(service.networks ?? {});
      expect(networks).toEqual(['attest']);
      const dependencies = Array.isArray(service.depends_on)
        ? service.depends_on
        : Object.keys(service.depends_on ?? {});
      for (const dependency of dependencies) expect(Object.keys(services)).toContain(dependency);
    }
    expect(services.eventstore.healthcheck?.test.join(' ')).toMatch(/health\/live/);
    expect(services.postgres.healthcheck?.test.join(' ')).toMatch(/pg_isready/);
    // The image's own HEALTHCHECK probes readiness, which a projector serves too.
    expect(readFileSync(join(ROOT, 'Dockerfile'), 'utf8')).toMatch(
      /HEALTHCHECK[^\n]*\/api\/v1\/health\/ready/,
    );
  });
});
