import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DeployModelHandler } from './commands/deploy-model/deploy-model.handler';
import { DeployModelHttpController } from './commands/deploy-model/deploy-model.http.controller';
import { PromoteDeploymentHandler } from './commands/promote-deployment/promote-deployment.handler';
import { PromoteDeploymentHttpController } from './commands/promote-deployment/promote-deployment.http.controller';
import { RetireDeploymentHandler } from './commands/retire-deployment/retire-deployment.handler';
import { RetireDeploymentHttpController } from './commands/retire-deployment/retire-deployment.http.controller';
import { RollBackDeploymentHandler } from './commands/roll-back-deployment/roll-back-deployment.handler';
import { RollBackDeploymentHttpController } from './commands/roll-back-deployment/roll-back-deployment.http.controller';
import { DeploymentTimelineProjection } from './queries/deployments-as-of/deployment-timeline.projection';
import { ListDeploymentsAsOfQueryHandler } from './queries/deployments-as-of/deployments-as-of.query-handler';
import { ListRollbackCausesQueryHandler } from './queries/rollback-causes/rollback-causes.query-handler';
import { DeploymentHistoryRow, DeploymentRow } from './queries/deployments/deployment.read-model';
import { DeploymentsProjection } from './queries/deployments/deployments.projection';
import {
  GetDeploymentQueryHandler,
  ListDeploymentsQueryHandler,
} from './queries/deployments/deployments.query-handler';
import { DeploymentsHttpController } from './queries/deployments/deployments.http.controller';

@Module({
  imports: [TypeOrmModule.forFeature([DeploymentRow, DeploymentHistoryRow])],
  controllers: [
    DeployModelHttpController,
    PromoteDeploymentHttpController,
    RollBackDeploymentHttpController,
    RetireDeploymentHttpController,
    DeploymentsHttpController,
  ],
  providers: [
    DeployModelHandler,
    PromoteDeploymentHandler,
    RollBackDeploymentHandler,
    RetireDeploymentHandler,
    DeploymentsProjection,
    ListDeploymentsQueryHandler,
    GetDeploymentQueryHandler,
    DeploymentTimelineProjection,
    ListDeploymentsAsOfQueryHandler,
    ListRollbackCausesQueryHandler,
  ],
})
export class DeploymentsModule {}
