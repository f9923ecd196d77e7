import { API_PREFIX, ApiError, apiErrorOf, ops, pathOf, responseCheck } from '@steward/protocol';
import type { PackageVersion } from '@steward/protocol';
import { api } from '../../api/client';

const op = ops.packages.createVersionFromArchive;
const versionCheck = responseCheck(op.responses[201]);

/** The answer is what the operation declares (the check is the schema PackageVersion is from). */
function isPackageVersion(v: unknown): v is PackageVersion {
  return versionCheck.check(v);
}

export interface UploadProgress {
  loaded: number;
  total: number;
}

/** gzip files start with 1f 8b: trust the bytes, not the file name. */
export async function isGzip(file: Blob): Promise<boolean> {
  const head = new Uint8Array(await file.slice(0, 2).arrayBuffer());
  return head[0] === 0x1f && head[1] === 0x8b;
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The archive upload operation (`ops.packages.createVersionFromArchive`) with XMLHttpRequest,
 * because fetch reports no upload progress. Path, media type and the answer's check come from
 * the operation, as the typed ApiClient's; same session and error shape; `signal` aborts.
 */
export async function uploadArchive(
  packageId: string,
  file: File,
  onProgress: (p: UploadProgress) => void,
  signal?: AbortSignal,
): Promise<PackageVersion> {
  const gzip = await isGzip(file);
  return new Promise<PackageVersion>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(op.method, `${api.baseUrl}${API_PREFIX}${pathOf(op, { id: packageId })}`);
    xhr.setRequestHeader('content-type', gzip ? 'application/gzip' : 'application/x-tar');
    // Same origin: the session cookie goes along; the CSRF header comes from the client.
    for (const [name, value] of Object.entries(api.authHeaders(op.method)))
      xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => {
      onProgress({ loaded: e.loaded, total: e.lengthComputable ? e.total : file.size });
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        const body = parseJson(xhr.responseText);
        if (isPackageVersion(body)) resolve(body);
        else
          reject(
            new ApiError(
              xhr.status,
              'BAD_RESPONSE',
              `the site answered without a version (${versionCheck.firstError(body)})`,
            ),
          );
        return;
      }
      // A 401 ends the session the same way as any other request: ask once through the client.
      if (xhr.status === 401) void api.me().catch(() => undefined);
      reject(apiErrorOf(xhr.status, xhr.responseText));
    };
    xhr.onerror = () =>
      reject(new ApiError(0, 'UNREACHABLE', `cannot reach ${api.baseUrl} (upload interrupted)`));
    xhr.onabort = () => reject(new ApiError(0, 'ABORTED', 'upload cancelled'));
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}
