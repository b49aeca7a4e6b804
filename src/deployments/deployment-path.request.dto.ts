import { ApiProperty } from '@nestjs/swagger';
import { Matches, MaxLength } from 'class-validator';
import { ENVIRONMENT, RESOURCE_NAME } from '../ledger/commands/identifiers';

const inner = (pattern: RegExp) => pattern.source.replace(/^\^/, '').replace(/\$$/, '');

/** `<model>.<environment>`: model names hold no dot, so this is what parseDeploymentId accepts. */
export const DEPLOYMENT_ID = new RegExp(`^${inner(RESOURCE_NAME)}\\.${inner(ENVIRONMENT)}$`);
export const DEPLOYMENT_ID_HINT =
  '<model>.<environment>, e.g. credit-risk.production (lower-case letters, digits, hyphens)';

/** `{id}` of every /deployments/{id}/… route. */
export class DeploymentPath {
  @ApiProperty({ example: 'credit-risk.production', description: DEPLOYMENT_ID_HINT })
  @MaxLength(100)
  @Matches(DEPLOYMENT_ID, { message: `id must be ${DEPLOYMENT_ID_HINT}` })
  id!: string;
}
