import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { EcsImageGuard, type EcsImageGuardProps } from './image-guard';

export interface ImageGuardStackProps extends StackProps {
  readonly guard?: EcsImageGuardProps;
}

/** A stack holding one EcsImageGuard; everything of substance is in the construct. */
export class ImageGuardStack extends Stack {
  readonly guard: EcsImageGuard;

  constructor(scope: Construct, id: string, props: ImageGuardStackProps = {}) {
    super(scope, id, {
      description:
        'ecs-image-guard: Cosign signature verification for ECS tasks (stop/alert on unsigned images)',
      ...props,
    });
    this.guard = new EcsImageGuard(this, 'ImageGuard', props.guard ?? {});
    // One guard per stack: its outputs keep the plain names the README documents (SignCommand, …)
    // instead of path-derived ids.
    for (const [name, output] of Object.entries(this.guard.outputs)) output.overrideLogicalId(name);
  }
}
