import { allow, DATA_KEY_WRITE, documents, isHub, isStaged, RoleAllowList } from '../review/allow';
import { instanceSlug } from './async-inference-endpoint';

const REPOSITORY = 'arn:{AWS::Partition}:ecr:{AWS::Region}:{HuggingFaceDlcRegistryAccounts.{AWS::Region}.account}:repository/huggingface-pytorch-inference';

/**
 * What SageMaker may do as the model's execution role: read the requests clients name (requests/
 * and extracted/ with the pipeline, input/ without), write results and failures, publish the two
 * notifications, pull the image, write its own endpoint's logs and instance metrics, read the
 * model data (the handler archive, the servable copy of a staged model or the repacked artifact),
 * use the data key only through S3, SNS, SageMaker and EC2, and with a VPC manage its network
 * interfaces.
 */
export const MODEL_EXECUTION_ROLE: RoleAllowList = {
  role: 'ModelExecutionRole',
  lines: (c, stack) => {
    const logGroup = `arn:{AWS::Partition}:logs:{AWS::Region}:{AWS::AccountId}:log-group:/aws/sagemaker/Endpoints/${stack}-${instanceSlug(c.instanceType)}`;
    const servable = `models/${c.modelId}/${c.modelRevision}-handler-<hash>/`;
    return [
      ...allow('cloudwatch:PutMetricData', '*', 'StringLike cloudwatch:namespace=/aws/sagemaker/Endpoints|/aws/sagemaker/Endpoints/*'),
      ...allow(['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], REPOSITORY),
      ...allow('ecr:GetAuthorizationToken', '*'),
      ...DATA_KEY_WRITE,
      ...allow(['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'], [logGroup, `${logGroup}:log-stream:*`]),
      ...allow(['s3:AbortMultipartUpload', 's3:PutObject'], [documents('failure/*'), documents('output/*')]),
      ...allow('s3:GetObject', c.pipeline ? [documents('extracted/*'), documents('requests/*')] : [documents('input/*')]),
      ...(isHub(c) ? allow('s3:GetObject', documents('models/handler/<hash>.tar.gz')) : []),
      ...(isStaged(c) ? [...allow('s3:GetObject', documents(`${servable}*`)), ...allow('s3:ListBucket', '{DocumentsBucket.Arn}', `StringLike s3:prefix=${servable}*`)] : []),
      ...(c.modelDataUrl !== undefined ? allow('s3:GetObject', documents('models/<hash>/model.tar.gz')) : []),
      ...allow('sns:Publish', ['{ErrorTopic}', '{SuccessTopic}']),
      `Deny kms:* on * when StringNotEquals kms:ViaService=${['s3', 'sns', 'sagemaker', 'ec2'].map((s) => `${s}.{AWS::Region}.amazonaws.com`).join('|')}`,
      ...(c.vpcSubnetIds.length > 0
        ? allow(
            ['ec2:CreateNetworkInterface', 'ec2:CreateNetworkInterfacePermission', 'ec2:DeleteNetworkInterface', 'ec2:DeleteNetworkInterfacePermission', 'ec2:DescribeDhcpOptions', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:DescribeVpcs'],
            '*',
          )
        : []),
    ];
  },
};
