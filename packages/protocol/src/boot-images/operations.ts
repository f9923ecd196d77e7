import { Type } from '@sinclair/typebox';
import { ErrorCode } from '../common/errors.js';
import { FileBytes } from '../content/schemas.js';
import { DistributeRequest, PackageContentStatus } from '../distribution/schemas.js';
import { IdParams, NoContent } from '../http/common.js';
import { defineOperations } from '../http/operation.js';
import {
  BootImage,
  BootImageSettings,
  UpdateBootImageSettingsRequest,
  BootDriversRequest,
  BootDriversResponse,
  BootRegisterRequest,
  BootRegisterResponse,
  BootStatusRequest,
  BootTaskSequenceRequest,
  BootTaskSequenceResponse,
  BuildBootImageRequest,
  CapturedArchive,
  OS_IMAGE_CAPTURE_MAX_BYTES,
  RecordCaptureRequest,
  RecordCaptureResponse,
  ImportComputerRequest,
  ImportComputersCsvRequest,
  ImportComputersCsvResult,
  ImportedComputer,
  UnknownComputer,
} from './schemas.js';

const tags = ['os-deployment'];

/** Boot images (issue 11, ADR 0065). */
export const bootImageOperations = defineOperations({
  list: {
    method: 'GET',
    path: '/boot-images',
    responses: { 200: Type.Array(BootImage) },
    permission: 'read',
    errors: [],
    summary: 'Boot images, every version, newest first',
    tags,
  },
  build: {
    method: 'POST',
    path: '/boot-images',
    body: BuildBootImageRequest,
    responses: { 202: BootImage },
    permission: 'software:write',
    errors: [
      ErrorCode.BOOT_IMAGE_NO_MIRROR,
      ErrorCode.BOOT_IMAGE_BUILD_RUNNING,
      ErrorCode.DRIVER_NOT_FOUND,
    ],
    summary:
      'Starts building the next version of a boot image from Debian packages (progress on the image)',
    tags,
  },
  get: {
    method: 'GET',
    path: '/boot-images/:id',
    params: IdParams,
    responses: { 200: BootImage },
    permission: 'read',
    errors: [ErrorCode.BOOT_IMAGE_NOT_FOUND],
    summary: 'One boot image version (by id, or by name for its newest version)',
    tags,
  },
  delete: {
    method: 'DELETE',
    path: '/boot-images/:id',
    params: IdParams,
    responses: { 204: NoContent },
    permission: 'software:write',
    errors: [ErrorCode.BOOT_IMAGE_NOT_FOUND, ErrorCode.BOOT_IMAGE_BUILD_RUNNING],
    summary: 'Deletes a boot image version (its files go with the next content clean-up)',
    tags,
  },
  distribute: {
    method: 'POST',
    path: '/boot-images/:id/distribute',
    params: IdParams,
    body: DistributeRequest,
    responses: { 200: PackageContentStatus },
    permission: 'software:write',
    errors: [
      ErrorCode.BOOT_IMAGE_NOT_FOUND,
      ErrorCode.BOOT_IMAGE_NOT_READY,
      ErrorCode.DP_NOT_FOUND,
      ErrorCode.DP_GROUP_NOT_FOUND,
    ],
    summary: "Distributes a boot image's files to distribution points (its content package)",
    tags,
  },
  settings: {
    method: 'GET',
    path: '/boot-image-settings',
    responses: { 200: BootImageSettings },
    permission: 'read',
    errors: [],
    summary: 'Where boot images are built from: the Debian mirror and suite',
    tags,
  },
  updateSettings: {
    method: 'PATCH',
    path: '/boot-image-settings',
    body: UpdateBootImageSettingsRequest,
    responses: { 200: BootImageSettings },
    permission: 'software:write',
    errors: [],
    summary: 'Sets the Debian mirror and suite boot images are built from',
    tags,
  },
});

/** Unknown computers: machines that started a boot image and the site does not know. */
export const unknownComputerOperations = defineOperations({
  list: {
    method: 'GET',
    path: '/unknown-computers',
    responses: { 200: Type.Array(UnknownComputer) },
    permission: 'read',
    errors: [],
    summary: 'Computers that started a boot image and match no imported computer',
    tags,
  },
  delete: {
    method: 'DELETE',
    path: '/unknown-computers/:id',
    params: IdParams,
    responses: { 204: NoContent },
    permission: 'devices:write',
    errors: [ErrorCode.UNKNOWN_COMPUTER_NOT_FOUND],
    summary: 'Forgets an unknown computer (it registers again at its next boot)',
    tags,
  },
});

/** Imported computers: named by MAC and/or SMBIOS UUID before they ever boot. */
export const importedComputerOperations = defineOperations({
  list: {
    method: 'GET',
    path: '/imported-computers',
    responses: { 200: Type.Array(ImportedComputer) },
    permission: 'read',
    errors: [],
    summary: 'Imported computers, with when each last started a boot image',
    tags,
  },
  create: {
    method: 'POST',
    path: '/imported-computers',
    body: ImportComputerRequest,
    responses: { 201: ImportedComputer },
    permission: 'devices:write',
    errors: [ErrorCode.IMPORTED_COMPUTER_NO_IDENTITY, ErrorCode.IMPORTED_COMPUTER_EXISTS],
    summary: 'Imports a computer by MAC and/or SMBIOS UUID, with a name and variables',
    tags,
  },
  importCsv: {
    method: 'POST',
    path: '/imported-computers/csv',
    body: ImportComputersCsvRequest,
    responses: { 201: ImportComputersCsvResult },
    permission: 'devices:write',
    errors: [
      ErrorCode.IMPORTED_COMPUTER_CSV_INVALID,
      ErrorCode.IMPORTED_COMPUTER_NO_IDENTITY,
      ErrorCode.IMPORTED_COMPUTER_EXISTS,
    ],
    summary: 'Imports computers from CSV (name, mac, smbiosUuid, then variables), all or none',
    tags,
  },
  delete: {
    method: 'DELETE',
    path: '/imported-computers/:id',
    params: IdParams,
    responses: { 204: NoContent },
    permission: 'devices:write',
    errors: [ErrorCode.IMPORTED_COMPUTER_NOT_FOUND],
    summary: 'Removes an imported computer',
    tags,
  },
});

/**
 * What a boot environment calls on the agent listener. It has no device identity yet: each
 * call carries the boot image's key (`enrolment` access: a secret in the body, checked by the
 * route). Boot image files are public on purpose: PXE firmware and iPXE fetch them with no
 * credentials (ADR 0066).
 */
export const bootEnvironmentOperations = defineOperations({
  register: {
    method: 'POST',
    path: '/agent/v1/boot/register',
    body: BootRegisterRequest,
    responses: { 200: BootRegisterResponse },
    permission: 'enrolment',
    errors: [ErrorCode.BOOT_IMAGE_KEY_INVALID],
    summary:
      'A boot environment identifies its machine: matched to an imported computer, else registered as an unknown computer',
    tags: ['agent'],
  },
  taskSequence: {
    method: 'POST',
    path: '/agent/v1/boot/task-sequence',
    body: BootTaskSequenceRequest,
    responses: { 200: BootTaskSequenceResponse },
    permission: 'enrolment',
    errors: [
      ErrorCode.BOOT_IMAGE_KEY_INVALID,
      ErrorCode.UNKNOWN_COMPUTER_NOT_FOUND,
      ErrorCode.CONTENT_ACCESS_DENIED,
      ErrorCode.MEDIA_KEY_REFUSED,
    ],
    summary:
      'The task sequence deployed to a booted computer, the run it resumes, or the capture sequence of the capture media it booted from (null: none)',
    tags: ['agent'],
  },
  drivers: {
    method: 'POST',
    path: '/agent/v1/boot/drivers',
    body: BootDriversRequest,
    responses: { 200: BootDriversResponse },
    permission: 'enrolment',
    errors: [ErrorCode.BOOT_IMAGE_KEY_INVALID, ErrorCode.UNKNOWN_COMPUTER_NOT_FOUND],
    summary:
      "An apply-drivers step's driver packages: enabled drivers matched to the machine's modaliases (auto) or chosen, with the DPs that hold them",
    tags: ['agent'],
  },
  status: {
    method: 'POST',
    path: '/agent/v1/boot/status',
    body: BootStatusRequest,
    responses: { 204: NoContent },
    permission: 'enrolment',
    errors: [ErrorCode.BOOT_IMAGE_KEY_INVALID, ErrorCode.INVALID_INPUT],
    summary: 'A status message from a boot environment',
    tags: ['agent'],
  },
  captureArchive: {
    method: 'PUT',
    path: '/agent/v1/boot/captures/archive',
    rawBody: { mediaTypes: ['application/octet-stream'], maxBytes: OS_IMAGE_CAPTURE_MAX_BYTES },
    responses: { 200: CapturedArchive },
    permission: 'content-token',
    errors: [ErrorCode.CONTENT_ACCESS_DENIED, ErrorCode.UNSUPPORTED_MEDIA_TYPE],
    summary:
      "A capture step streams one archive of the image it captures (the run's capture token as bearer); the site hashes it as it stores it",
    tags: ['agent'],
  },
  captureRecord: {
    method: 'POST',
    path: '/agent/v1/boot/captures',
    body: RecordCaptureRequest,
    responses: { 200: RecordCaptureResponse },
    permission: 'content-token',
    errors: [
      ErrorCode.CONTENT_ACCESS_DENIED,
      ErrorCode.OS_IMAGE_INVALID,
      ErrorCode.CONTENT_MISSING,
      ErrorCode.CONTENT_SIZE_MISMATCH,
    ],
    summary:
      'Records a captured image (its manifest) as the next version of its name, from archives the run uploaded',
    tags: ['agent'],
  },
  file: {
    method: 'GET',
    path: '/content/v1/boot-images/:id/:file',
    params: Type.Object(
      {
        id: Type.String({ minLength: 1, maxLength: 200 }),
        file: Type.Union([Type.Literal('vmlinuz'), Type.Literal('initrd.img')]),
      },
      { additionalProperties: false },
    ),
    binaryResponse: true,
    responses: { 200: FileBytes },
    permission: 'agent-public',
    errors: [ErrorCode.BOOT_IMAGE_NOT_FOUND, ErrorCode.CONTENT_RANGE_NOT_SATISFIABLE],
    summary:
      "A boot image's kernel or initramfs at a stable URL (id, or name for the newest ready version), for PXE and iPXE",
    tags: ['content'],
  },
});
