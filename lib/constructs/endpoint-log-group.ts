import { ArnFormat, CustomResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeWildcard } from '../nag';
import { handlerFunction, LogSettings } from './handler-function';

/** The endpoint log group SageMaker writes to (Developer Guide, async-inference-monitor: "/aws/sagemaker/Endpoints/[EndpointName]"). */
export const endpointLogGroupName = (endpointName: string) => `/aws/sagemaker/Endpoints/${endpointName}`;

export interface EndpointLogGroupProps {
  /** The endpoint's name: the group is `/aws/sagemaker/Endpoints/<name>`. */
  readonly endpointName: string;
  /**
   * What every endpoint name of this stack starts with (`<namePrefix>-<instance type>`): the
   * function may manage those groups and no others.
   */
  readonly namePrefix: string;
  /** The key, the retention, and where the function's own log group goes. */
  readonly logs: LogSettings;
  /**
   * RETAIN keeps the group when the stack is deleted or the endpoint replaced; DESTROY deletes it.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The endpoint's log group, created before the endpoint (so SageMaker never creates it
 * unencrypted and never expiring) and **adopted** when it already exists: a group kept by an
 * earlier `cdk destroy`, or by an earlier instance type that this stage switches back to, would
 * otherwise make CloudFormation refuse the deploy ("already exists"). A custom resource
 * (lambda/log-group) creates it or takes it over, applies the key and the retention either way,
 * and deletes it only with RemovalPolicy.DESTROY.
 */
export class EndpointLogGroup extends Construct {
  public readonly logGroupName: string;
  public readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: EndpointLogGroupProps) {
    super(scope, id);
    this.logGroupName = endpointLogGroupName(props.endpointName);
    const removable = props.removalPolicy === RemovalPolicy.DESTROY;
    const fn = handlerFunction(this, 'LogGroupManager', { handlerDir: 'log-group', timeout: Duration.minutes(2), memorySize: 256, environment: {}, logs: props.logs });
    const groups = Stack.of(this).formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: endpointLogGroupName(`${props.namePrefix}-*`),
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['logs:AssociateKmsKey', 'logs:CreateLogGroup', 'logs:PutRetentionPolicy', ...(removable ? ['logs:DeleteLogGroup'] : [])],
        resources: [groups],
      }),
    );
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: fn.functionArn,
      resourceType: 'Custom::EndpointLogGroup',
      properties: {
        LogGroupName: this.logGroupName,
        KmsKeyArn: props.logs.encryptionKey.keyArn,
        RetentionInDays: String(props.logs.retention),
        RemoveOnDelete: String(removable),
      },
    });
    const policy = fn.role!.node.findChild('DefaultPolicy').node.defaultChild!;
    acknowledgeWildcard(
      policy,
      { resource: groups },
      "The endpoint's log group is named by SageMaker after the endpoint, whose name ends in the instance type; the function manages this stack's endpoint log groups only.",
    );
    acknowledgeWildcard(policy, { resource: '*' }, 'X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) does not support resource-level permissions.');
  }
}
