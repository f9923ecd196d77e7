import { agentOps, ops } from '@steward/protocol';
import type { App } from '../http/types.js';
import { actorOf } from '../http/auth.js';
import { implement } from '../http/operations.js';
import { implementAgent } from '../http/agent-operations.js';
import type { ContentStore } from '../content/content-store.js';
import { sendStoredFile } from '../content/serve-file.js';
import type { OsImageCaptureService } from '../os-images/capture.js';
import type { BootSequenceService } from './boot-sequence.js';
import type { ComputerService } from './computers.js';
import type { BootImageService } from './service.js';

/** Boot images, unknown and imported computers: the admin API (issue 11, ADR 0065). */
export function registerBootImageRoutes(
  app: App,
  images: BootImageService,
  computers: ComputerService,
): void {
  implement(app, ops.bootImages, {
    list: (req) => images.list(actorOf(req)),
    build: (req) => images.build(actorOf(req), req.body),
    get: (req) => images.get(actorOf(req), req.params.id),
    delete: (req) => images.delete(actorOf(req), req.params.id),
    distribute: (req) => images.distribute(actorOf(req), req.params.id, req.body),
    settings: (req) => images.getSettings(actorOf(req)),
    updateSettings: (req) => images.updateSettings(actorOf(req), req.body),
  });
  implement(app, ops.unknownComputers, {
    list: (req) => computers.listUnknown(actorOf(req)),
    delete: (req) => computers.deleteUnknown(actorOf(req), req.params.id),
  });
  implement(app, ops.importedComputers, {
    list: (req) => computers.listImported(actorOf(req)),
    create: (req) => computers.importOne(actorOf(req), req.body),
    importCsv: (req) => computers.importCsv(actorOf(req), req.body.csv),
    delete: (req) => computers.deleteImported(actorOf(req), req.params.id),
  });
}

/**
 * What boot environments call on the agent listener, and the boot image files at stable URLs
 * (`/content/v1/boot-images/<id or name>/vmlinuz|initrd.img`) for PXE and iPXE (ADR 0066).
 */
export function registerBootEnvironmentRoutes(
  app: App,
  deps: {
    computers: ComputerService;
    images: BootImageService;
    sequences: BootSequenceService;
    store: ContentStore;
    captures: OsImageCaptureService;
  },
): void {
  implementAgent(
    app,
    agentOps.bootEnvironment,
    {
      register: (req) => deps.computers.register(req.body, req.socket.remoteAddress ?? 'unknown'),
      taskSequence: (req) =>
        deps.computers.taskSequence(
          req.body,
          req.socket.remoteAddress ?? 'unknown',
          deps.sequences,
        ),
      drivers: (req) =>
        deps.computers.drivers(req.body, req.socket.remoteAddress ?? 'unknown', deps.sequences),
      status: (req) => deps.computers.status(req.body, req.socket.remoteAddress ?? 'unknown'),
      captureArchive: (req) => deps.captures.archive(req, req.body),
      captureRecord: (req) => deps.captures.record(req, req.body.manifest),
      file: async (req, reply) => {
        const file = await deps.images.servedFile(req.params.id, req.params.file);
        return sendStoredFile(reply, {
          store: deps.store,
          sha256: file.sha256,
          rangeHeader: req.headers.range,
        });
      },
    },
    // The boot key in each body is checked by the service, and the files are public (PXE
    // firmware has no credentials): bodies stay within the listener's default limit. A capture
    // upload's token is checked before its body is read (ADR 0094); its archive streams to the
    // store (a raw body), its manifest is a small JSON body.
    {
      callers: { 'content-token': deps.captures.auth.hook },
      bodyLimits: { captureRecord: 256 * 1024 },
    },
  );
}
