import { allow, DATA_KEY_WRITE, documents, functionLogs, HANDLER_ASSET, RoleAllowList, XRAY } from '../review/allow';

/** The deploy-time repack of a modelDataUrl artifact: reads it (from a bucket of the expected owner) and the handler asset, writes and deletes under models/. */
export const REPACK_ROLE: RoleAllowList = {
  role: 'ModelArtifactWithHandlerRepackRole',
  lines: (c) => [
    ...DATA_KEY_WRITE,
    ...(c.modelDataKmsKeyArn ? allow('kms:Decrypt', c.modelDataKmsKeyArn, 'StringEquals kms:ViaService=s3.{AWS::Region}.amazonaws.com') : []),
    ...functionLogs('ModelArtifactWithHandlerRepackLogs'),
    ...allow(['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:PutObject'], documents('models/*')),
    ...HANDLER_ASSET,
    ...allow('s3:GetObject', `arn:{AWS::Partition}:s3:::${c.modelDataUrl!.slice('s3://'.length)}`, `StringEquals s3:ResourceAccount=${c.modelDataBucketOwner ?? '{AWS::AccountId}'}`),
    ...XRAY,
  ],
};
