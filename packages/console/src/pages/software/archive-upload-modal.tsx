import { Alert, Button, FileInput, Group, Modal, Progress, Stack, Text } from '@mantine/core';
import { IconFileZip, IconInfoCircle } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Package } from '@steward/protocol';
import { useRef, useState } from 'react';
import type { ComponentPropsWithoutRef } from 'react';
import { errorCode, errorMessage, notifySuccess } from '../../api/errors';
import { MissingFieldsHint, missingFields } from '../../components/form-actions';
import { formatBytes } from '../../lib/format';
import { uploadArchive, type UploadProgress } from './archive-upload';
import { keys } from './queries';

// The hidden <input type=file> gets a test id so the browser suite can set files on it.
const FILE_INPUT_PROPS: ComponentPropsWithoutRef<'input'> & { 'data-testid': string } = {
  'data-testid': 'archive-file',
  name: 'archive',
};

/** "Update content": a .tar or .tar.gz archive becomes the package's next content version. */
export function ArchiveUploadModal(props: { pkg: Package; opened: boolean; onClose: () => void }) {
  return (
    <Modal
      opened={props.opened}
      onClose={props.onClose}
      title={<Text fw={600}>Update content of {props.pkg.name}</Text>}
      size="lg"
      closeOnClickOutside={false}
    >
      <UploadForm {...props} />
    </Modal>
  );
}

function UploadForm({ pkg, onClose }: { pkg: Package; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const abort = useRef<AbortController | null>(null);
  const upload = useMutation({
    mutationFn: (f: File) => {
      abort.current = new AbortController();
      setProgress({ loaded: 0, total: f.size });
      return uploadArchive(pkg.id, f, setProgress, abort.current.signal);
    },
    meta: { silent: true },
    onSuccess: (v) => {
      notifySuccess(
        `Content version ${v.number} of ${pkg.name}: ${v.fileCount} files, ${formatBytes(v.sizeBytes)}. Clients get it from now on.`,
      );
      void queryClient.invalidateQueries({ queryKey: keys.package(pkg.id) });
      void queryClient.invalidateQueries({ queryKey: keys.packages });
      void queryClient.invalidateQueries({ queryKey: keys.library });
      onClose();
    },
  });
  const pct = progress && progress.total > 0 ? (progress.loaded / progress.total) * 100 : 0;
  const sent = progress !== null && progress.loaded >= progress.total;
  const failed = upload.isError && errorCode(upload.error) !== 'ABORTED';

  return (
    <Stack gap="sm">
      <Text size="sm" c="dimmed">
        The archive is unpacked on the site server; every file is stored once in the content library
        by its SHA-256, so files already there take no more space. The result is version{' '}
        {(pkg.currentVersion?.number ?? 0) + 1}; the current version stays until this one is
        complete.
      </Text>
      <FileInput
        label="Archive"
        description=".tar, .tar.gz or .tgz (gzip is recognised from the content)"
        placeholder="Choose an archive"
        accept=".tar,.tar.gz,.tgz,application/gzip,application/x-tar"
        leftSection={<IconFileZip size={16} />}
        value={file}
        onChange={(f) => {
          setFile(f);
          upload.reset();
          setProgress(null);
        }}
        disabled={upload.isPending}
        clearable
        fileInputProps={FILE_INPUT_PROPS}
        data-testid="archive-file-button"
      />
      {progress && (upload.isPending || upload.isSuccess) && (
        <Stack gap={4} data-testid="upload-progress">
          <Progress
            value={pct}
            size="lg"
            striped={sent && upload.isPending}
            animated={sent && upload.isPending}
            data-testid="upload-progress-bar"
            data-value={Math.round(pct)}
          />
          <Group justify="space-between">
            <Text size="xs" c="dimmed">
              {formatBytes(progress.loaded)} of {formatBytes(progress.total)}
            </Text>
            <Text size="xs" fw={600}>
              {sent && upload.isPending
                ? 'Unpacking and hashing on the site…'
                : `${Math.round(pct)}%`}
            </Text>
          </Group>
        </Stack>
      )}
      {failed && (
        <Alert
          color="red"
          variant="light"
          icon={<IconInfoCircle size={18} />}
          data-testid="upload-error"
        >
          <Text size="sm">
            <b>{errorCode(upload.error)}</b>: {errorMessage(upload.error)}. Nothing was created.
          </Text>
        </Alert>
      )}
      <Group justify="flex-end" mt="sm">
        {upload.isPending ? (
          <Button variant="default" onClick={() => abort.current?.abort()}>
            Cancel upload
          </Button>
        ) : (
          <Button variant="default" onClick={onClose}>
            Close
          </Button>
        )}
        <MissingFieldsHint missing={missingFields({ 'An archive file': file !== null })} />
        <Button
          onClick={() => file && upload.mutate(file)}
          disabled={file === null}
          loading={upload.isPending}
          data-testid="archive-upload-submit"
        >
          Upload
        </Button>
      </Group>
    </Stack>
  );
}
