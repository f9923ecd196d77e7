import { Button, Group, Modal, NumberInput, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ops, REPORT_LIMITS, REPORT_VIEWS, type Report } from '@steward/protocol';
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { api } from '../../../api/client';
import { notifySuccess } from '../../../api/errors';
import { REPORTS_KEY } from './reports-list-page';

/**
 * The custom report editor: "copy into custom report" from any report, or edit a custom one.
 * Parameters come with the copy (and are edited from the CLI or API); the SQL is free text,
 * checked and run read-only by the site.
 */
export function ReportEditor(props: {
  source: Report;
  mode: 'copy' | 'edit';
  onClose: () => void;
}) {
  const { source, mode } = props;
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [id, setId] = useState(mode === 'copy' ? `${source.id}-copy`.slice(0, 63) : source.id);
  const [title, setTitle] = useState(mode === 'copy' ? `${source.title} (copy)` : source.title);
  const [sql, setSql] = useState(source.sql);
  const [refresh, setRefresh] = useState<number>(source.refreshMinutes);
  const [timeout, setTimeoutSeconds] = useState<number>(source.timeoutSeconds);
  const save = useMutation({
    mutationFn: () =>
      mode === 'copy'
        ? api.call(ops.sqlReports.createCustom, {
            body: {
              id,
              title,
              description: source.description,
              category: 'custom',
              sql,
              parameters: source.parameters,
              chart: source.chart,
              refreshMinutes: refresh,
              timeoutSeconds: timeout,
            },
          })
        : api.call(ops.sqlReports.updateCustom, {
            params: { id: source.id },
            body: { title, sql, refreshMinutes: refresh, timeoutSeconds: timeout },
          }),
    onSuccess: async (r) => {
      notifySuccess(`Report ${r.title} saved`);
      await queryClient.invalidateQueries({ queryKey: [REPORTS_KEY] });
      props.onClose();
      void navigate(`/monitoring/reports/${r.id}`);
    },
  });
  return (
    <Modal
      opened
      onClose={props.onClose}
      size="xl"
      title={mode === 'copy' ? 'Copy into a custom report' : 'Edit custom report'}
    >
      <Stack>
        {mode === 'copy' && (
          <TextInput
            label="Id"
            description="Lowercase words joined by dashes"
            value={id}
            onChange={(e) => setId(e.currentTarget.value)}
            data-testid="report-editor-id"
          />
        )}
        <TextInput
          label="Title"
          value={title}
          onChange={(e) => setTitle(e.currentTarget.value)}
          data-testid="report-editor-title"
        />
        <Textarea
          label="SQL"
          description="One SELECT (or WITH) over the report views; parameters as :name"
          autosize
          minRows={8}
          ff="monospace"
          value={sql}
          onChange={(e) => setSql(e.currentTarget.value)}
          data-testid="report-editor-sql"
        />
        <Text size="xs" c="dimmed">
          Views: {REPORT_VIEWS.map((v) => v.name).join(', ')}
        </Text>
        <Group grow>
          <NumberInput
            label="Refresh every (minutes)"
            min={REPORT_LIMITS.refreshMinutes.min}
            max={REPORT_LIMITS.refreshMinutes.max}
            value={refresh}
            onChange={(v) => setRefresh(Number(v))}
          />
          <NumberInput
            label="Time limit (seconds)"
            min={REPORT_LIMITS.timeoutSeconds.min}
            max={REPORT_LIMITS.timeoutSeconds.max}
            value={timeout}
            onChange={(v) => setTimeoutSeconds(Number(v))}
          />
        </Group>
        <Group justify="end">
          <Button variant="default" onClick={props.onClose}>
            Cancel
          </Button>
          <Button
            loading={save.isPending}
            onClick={() => save.mutate()}
            data-testid="report-editor-save"
          >
            Save
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
