import { z } from 'zod';
import type { JsonObject } from '../event-log.port';

/**
 * An open JSON object (hyperparameters, a runtime description, a public JWK): any keys, any JSON
 * values. For payload parts whose shape is the caller's, not the ledger's (README, "Event schemas").
 */
export const jsonObject: z.ZodType<JsonObject> = z.record(
  z.string(),
  z.json(),
) as z.ZodType<JsonObject>;
