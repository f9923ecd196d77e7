import { Button, Group, Paper, Stepper } from '@mantine/core';
import { IconArrowLeft, IconArrowRight, IconRocket } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ApiError } from '@steward/protocol';
import { useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { api } from '../../api/client';
import { errorCode, errorMessage, notifyError, notifySuccess } from '../../api/errors';
import { ErrorState } from '../../components/error-state';
import { PageHeader } from '../../components/page-header';
import { useSession } from '../../session/session-context';
import { BehaviourStep } from './wizard-behaviour-step';
import {
  FIELD_STEP,
  STEP_TITLES,
  deploymentBodyOf,
  emptyWizardForm,
  stepsWithErrors,
  validateStep,
  wizardFieldOfError,
  type WizardErrors,
  type WizardForm,
} from './wizard-model';
import { CollectionStep, ProgramStep } from './wizard-pick-steps';
import { ReviewStep } from './wizard-review-step';
import { ScheduleStep } from './wizard-schedule-step';
import { dkeys } from './queries';

const DESCRIPTIONS = ['What runs', 'Where', 'Purpose and when', 'How', 'Check and create'];

/** Creates a deployment in five steps; a site error returns to the step of the field it is about. */
export function DeploymentWizardPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { can } = useSession();
  const [active, setActive] = useState(0);
  const [errors, setErrors] = useState<WizardErrors>({});
  const [siteError, setSiteError] = useState<unknown>(null);
  const [form, setForm] = useState<WizardForm>(() => ({
    ...emptyWizardForm(),
    programId: params.get('program'),
    collectionId: params.get('collection'),
  }));
  const set = <K extends keyof WizardForm>(k: K, v: WizardForm[K]) => {
    setForm((f) => ({ ...f, [k]: v }));
    setErrors((e) => ({ ...e, [k]: undefined }));
  };

  const create = useMutation({
    mutationFn: async (f: WizardForm) => {
      const d = await api.createDeployment(deploymentBodyOf(f));
      // Extra assignments are separate requests: if one fails the deployment still exists, so
      // the user is taken to it and told which assignment to add again.
      for (const at of f.purpose === 'required' ? f.extraAssignments : []) {
        try {
          await api.addExtraAssignment(d.id, at);
        } catch (err) {
          notifyError(err, `The deployment was created, but not the assignment at ${at}`);
        }
      }
      return d;
    },
    meta: { silent: true },
    onSuccess: (d) => {
      notifySuccess(`Deployment “${d.name}” created; its devices are being told.`);
      void queryClient.invalidateQueries({ queryKey: dkeys.deployments });
      void navigate(`/deployments/${encodeURIComponent(d.id)}`);
    },
    onError: (err) => {
      const field = wizardFieldOfError(
        errorCode(err),
        err instanceof ApiError ? err.details : undefined,
      );
      if (field) {
        setErrors({ [field]: `${errorCode(err)}: ${errorMessage(err)}` });
        setSiteError(null);
        setActive(FIELD_STEP[field]);
      } else setSiteError(err);
    },
  });

  if (!can('deployments:write'))
    return (
      <ErrorState error={new ApiError(403, 'FORBIDDEN', 'forbidden')} what="create deployments" />
    );

  const next = () => {
    const e = validateStep(form, active);
    setErrors(e);
    if (Object.keys(e).length === 0) setActive((a) => Math.min(a + 1, STEP_TITLES.length - 1));
  };
  const badSteps = stepsWithErrors(errors);
  const props = { form, set, errors };

  return (
    <>
      <PageHeader
        crumbs={[{ label: 'Deployments', to: '/deployments' }, { label: 'New deployment' }]}
        title="New deployment"
        description="Deploy a program to a collection."
      />
      <Paper p="lg">
        <Stepper
          active={active}
          onStepClick={(s) => s < active && setActive(s)}
          size="sm"
          data-testid="wizard-stepper"
        >
          {STEP_TITLES.map((title, i) => (
            <Stepper.Step
              key={title}
              label={title}
              description={DESCRIPTIONS[i]}
              color={badSteps.has(i) ? 'red' : undefined}
              data-testid={`wizard-step-${i}`}
            >
              <Paper p="md" mt="md" withBorder={false}>
                {i === 0 && (
                  <ProgramStep {...props} packageFilter={params.get('package') ?? undefined} />
                )}
                {i === 1 && <CollectionStep {...props} />}
                {i === 2 && <ScheduleStep {...props} />}
                {i === 3 && <BehaviourStep {...props} />}
                {i === 4 && <ReviewStep form={form} siteError={siteError} />}
              </Paper>
            </Stepper.Step>
          ))}
        </Stepper>
        <Group justify="space-between" mt="lg">
          <Button
            variant="default"
            leftSection={<IconArrowLeft size={16} />}
            onClick={() => setActive((a) => Math.max(0, a - 1))}
            disabled={active === 0}
            data-testid="wizard-back"
          >
            Back
          </Button>
          {active < STEP_TITLES.length - 1 ? (
            <Button
              rightSection={<IconArrowRight size={16} />}
              onClick={next}
              data-testid="wizard-next"
            >
              Next
            </Button>
          ) : (
            <Button
              leftSection={<IconRocket size={16} />}
              loading={create.isPending}
              onClick={() => create.mutate(form)}
              data-testid="wizard-create"
            >
              Create deployment
            </Button>
          )}
        </Group>
      </Paper>
    </>
  );
}
