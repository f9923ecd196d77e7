import { pickSettings, UpdateDeploymentOptions } from '@steward/protocol';
import type { PhaseDeployer } from '../../deployments/phased/lifecycle.js';
import type { UpdateDeploymentService } from '../deployments/update-deployment-service.js';
import { templateOf } from './present.js';
import { ruleOfRollout } from './repository.js';

/**
 * The deployer phased rollouts start their phases with. A rollout an automatic deployment rule
 * started (ADR 0072) installs a group's approved updates: each phase's deployment is made an
 * update deployment of the group in the same transaction, with the rule's update options, so
 * the agents install it as updates. Every other rollout is left as it is.
 */
export function ruleAwarePhaseDeployer(
  deployments: PhaseDeployer,
  updateDeployments: UpdateDeploymentService,
): PhaseDeployer {
  return {
    async createInTransaction(tx, actor, body, extra = {}) {
      const id = await deployments.createInTransaction(tx, actor, body, extra);
      if (extra.phasedDeploymentId === undefined) return id;
      const rule = await ruleOfRollout(tx, extra.phasedDeploymentId);
      if (rule?.group_id)
        await updateDeployments.attach(tx, actor, {
          deploymentId: id,
          name: body.name ?? `phase deployment ${id}`,
          groupId: rule.group_id,
          options: pickSettings(
            UpdateDeploymentOptions,
            templateOf({ id: extra.phasedDeploymentId, template: rule.template }),
          ),
        });
      return id;
    },
    nudgeDeployment: (deploymentId, requestedBy) =>
      deployments.nudgeDeployment(deploymentId, requestedBy),
  };
}
