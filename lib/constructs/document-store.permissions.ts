import type { RoleAllowList } from '../review/allow';

/**
 * With dataRemovalPolicy=destroy, the CDK's own function that empties the bucket before deleting
 * it (`autoDeleteObjects`): the basic execution policy for its logs; its S3 permissions are in the
 * bucket policy, for this bucket only.
 */
export const AUTO_DELETE_OBJECTS_ROLE: RoleAllowList = {
  role: 'CustomS3AutoDeleteObjectsCustomResourceProviderRole',
  lines: () => ['managed policy arn:{AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
};
