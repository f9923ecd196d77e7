import type { Readable } from 'node:stream';
import type { Agent } from 'node:https';
import type {
  OsImageManifest,
  StoredUserState,
  UserStateRecord,
  UserStateTransfer,
} from '@steward/protocol';
import type { OsImageSources } from './image-stream.js';
import type { Firmware } from './layout.js';

/** An OS image on local disk: its manifest and the folder its archives are in. */
export interface LocalOsImage {
  manifest: OsImageManifest;
  dir: string;
}

/** The agent installer and what the new machine enrols with on its first boot. */
export interface AgentInstallKit {
  /** An unpacked agent tarball (install-agent.sh, VERSION, lib/, bin/, the unit). */
  installerDir: string;
  /** Enrolment token for the site (single use, issued for this machine). */
  token: string;
  /** Node.js binary copied into the target when its OS has none (the boot image's own). */
  nodeBinary?: string;
}

/**
 * What the boot environment gives the disk and image steps (ADR 0077). The steps do the disk
 * work themselves; reaching the site (content downloads, uploads, driver matches, enrolment
 * tokens) is the host's, so the same steps run against a site, a DP or files in a test.
 */
export interface BootEnvHost {
  /** Where the new system is mounted while it is built (`/mnt/target`). */
  targetDir: string;
  /** sysfs (tests pass a tree of their own only for disk choice). */
  sys?: string;
  /** How this boot environment was started: what `layout: auto` means. */
  firmware: Firmware;
  /** The machine's PCI/USB modaliases (driver matching). */
  modaliases: readonly string[];
  /** An OS image in a local folder (media, tests): the apply step reads its archives. */
  fetchOsImage?: (imageId: string, signal: AbortSignal) => Promise<LocalOsImage>;
  /**
   * An OS image of the content library as streams (issue 11): per archive, where its bytes can
   * come from, best first (a DP's multicast session, then each DP by HTTP). Preferred over
   * `fetchOsImage`; the apply step verifies the bytes while it extracts them.
   */
  openOsImage?: (imageId: string, signal: AbortSignal) => Promise<OsImageSources>;
  /** Uploads a captured image's folder (manifest and archives) to the site; its new id. */
  uploadOsImage?: (image: LocalOsImage, signal: AbortSignal) => Promise<string>;
  /**
   * Streams a capture to the site while tar writes it (ADR 0094): each archive goes up as it is
   * made (nothing held whole on the boot environment's RAM disk), then the manifest is recorded.
   * Preferred over `uploadOsImage` when the host has it.
   */
  captureSink?: {
    archive: (source: Readable, signal: AbortSignal) => Promise<{ sha256: string; size: number }>;
    record: (manifest: OsImageManifest, signal: AbortSignal) => Promise<string>;
  };
  /** Local .deb files of the driver packages to apply: matched (auto) or chosen. */
  driverPackages?: (
    request: {
      mode: 'auto' | 'chosen';
      driverIds: readonly string[];
      modaliases: readonly string[];
    },
    signal: AbortSignal,
  ) => Promise<string[]>;
  agentInstallKit?: (signal: AbortSignal) => Promise<AgentInstallKit>;
  /**
   * The run's user-state calls (ADR 0096): a record on a state migration point and its key for
   * a capture, the newest captured record for this computer for a restore.
   */
  userState?: {
    /** Trusts the site CA (state migration points' certificates are issued by it). */
    agent: Agent;
    capture: (signal: AbortSignal) => Promise<UserStateTransfer>;
    captured: (
      id: string,
      stored: StoredUserState,
      signal: AbortSignal,
    ) => Promise<UserStateRecord>;
    restore: (signal: AbortSignal) => Promise<UserStateTransfer>;
    restored: (id: string, signal: AbortSignal) => Promise<UserStateRecord>;
  };
  /** A scratch folder on a file system with room for a captured image. */
  workDir?: string;
}

/**
 * Task-sequence variables the steps hand each other (saved in the engine's state, so they
 * survive a restart between steps). Named like Configuration Manager's OSD* variables.
 */
export const OSD_VARS = {
  disk: 'OSDTargetDisk',
  firmware: 'OSDFirmware',
  rootPartition: 'OSDRootPartition',
  espPartition: 'OSDEspPartition',
  imageId: 'OSDImageId',
  capturedImageId: 'OSDCapturedImageId',
} as const;
