import {
  ErrorCode,
  NotFoundError,
  type DeploySelectedUpdatesBody,
  type UpdateDeployment,
} from '@steward/protocol';
import type { Actor, SiteContext } from '../../context.js';
import { authorize } from '../../context.js';
import { findCollection } from '../../collections/repository.js';
import type { ContentService } from '../../content/service.js';
import type { ApprovedContentService } from './content-service.js';
import type { UpdateGroupService } from './group-service.js';
import type { UpdateDeploymentService } from './update-deployment-service.js';

/**
 * Chosen updates deployed in one step (issue 10): a group of exactly them, named after the
 * deployment, its approved content published, then an ordinary update deployment of it. The
 * three steps are the existing services' own (each its own transaction: publishing builds and
 * signs a repository outside any). What can be checked first is checked before anything is
 * written; a later failure removes what the earlier steps made, so a refused request leaves
 * no group and no content behind.
 */
export class SelectedUpdatesDeployer {
  constructor(
    private readonly ctx: SiteContext,
    private readonly groups: UpdateGroupService,
    private readonly content: ApprovedContentService,
    private readonly library: ContentService,
    private readonly deployments: UpdateDeploymentService,
  ) {}

  async deploy(actor: Actor, body: DeploySelectedUpdatesBody): Promise<UpdateDeployment> {
    authorize(actor, 'deployments:write');
    const { updateIds, ...rest } = body;
    if (!(await findCollection(this.ctx.db.kysely, body.collectionId)))
      throw new NotFoundError('collection', body.collectionId, ErrorCode.COLLECTION_NOT_FOUND);
    const stamp = this.ctx.clock.now().toISOString().slice(0, 16).replace('T', ' ');
    const groupName = body.name ?? `Selected updates ${stamp}`;
    // Refuses unknown updates and a taken name before it writes anything.
    const group = await this.groups.createGroup(actor, {
      name: groupName,
      description: 'Chosen updates deployed directly',
      updateIds,
    });
    let packageId: string | undefined;
    try {
      packageId = (await this.content.publishGroup(actor, group.id)).packageId;
      return await this.deployments.create(actor, {
        ...rest,
        name: body.name ?? `${groupName} (updates)`,
        groupId: group.id,
      });
    } catch (err) {
      if (packageId !== undefined)
        await this.library.remove(actor, packageId).catch(() => undefined);
      await this.groups.deleteGroup(actor, group.id).catch(() => undefined);
      throw err;
    }
  }
}
