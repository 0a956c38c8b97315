import { allow, functionLogs, RoleAllowList, XRAY } from '../review/allow';

/** The function that creates (or adopts) each endpoint's log group, encrypted and retained (and with dataRemovalPolicy=destroy deletes it): this stack's endpoints' groups only. */
export const ENDPOINT_LOG_GROUP_MANAGER_ROLE: RoleAllowList = {
  role: 'EndpointLogsLogGroupManagerRole',
  lines: (c, stack) => [
    ...allow(
      ['logs:AssociateKmsKey', 'logs:CreateLogGroup', 'logs:PutRetentionPolicy', ...(c.dataRemovalPolicy === 'destroy' ? ['logs:DeleteLogGroup'] : [])],
      `arn:{AWS::Partition}:logs:{AWS::Region}:{AWS::AccountId}:log-group:/aws/sagemaker/Endpoints/${stack}-*`,
    ),
    ...functionLogs('EndpointLogsLogGroupManagerLogs'),
    ...XRAY,
  ],
};
