import { allow, DATA_KEY_WRITE, documents, functionLogs, HANDLER_ASSET, RoleAllowList, stagedSource, XRAY } from '../review/allow';

/**
 * The deploy-time copy of a staged model: reads the staged files and manifest (in a bucket of the
 * expected owner), writes and deletes servable copies under models/, reads the handler asset.
 */
export const STAGED_MODEL_COPY_ROLE: RoleAllowList = {
  role: 'ModelStagedWithHandlerCopyRole',
  lines: (c) => {
    const { bucket, prefix } = stagedSource(c);
    const owner = `StringEquals s3:ResourceAccount=${c.modelDataBucketOwner ?? '{AWS::AccountId}'}`;
    return [
      ...DATA_KEY_WRITE,
      ...(c.modelDataKmsKeyArn ? allow('kms:Decrypt', c.modelDataKmsKeyArn, 'StringEquals kms:ViaService=s3.{AWS::Region}.amazonaws.com') : []),
      ...functionLogs('ModelStagedWithHandlerCopyLogs'),
      ...allow(['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:PutObject'], documents('models/*')),
      ...HANDLER_ASSET,
      ...allow('s3:GetObject', [`arn:{AWS::Partition}:s3:::${bucket}/${prefix.replace(/\/$/, '')}.manifest.json`, `arn:{AWS::Partition}:s3:::${bucket}/${prefix}*`], owner),
      ...allow('s3:ListBucket', `arn:{AWS::Partition}:s3:::${bucket}`, owner),
      ...allow('s3:ListBucket', '{DocumentsBucket.Arn}', 'StringLike s3:prefix=models/*'),
      ...XRAY,
    ];
  },
};

/** The deploy-time copy of a Hub model's handler archive into models/handler/: reads the asset, writes and deletes under models/. */
export const HANDLER_ARCHIVE_COPY_ROLE: RoleAllowList = {
  role: 'ModelHandlerArchiveCopyRole',
  lines: () => [...DATA_KEY_WRITE, ...functionLogs('ModelHandlerArchiveCopyLogs'), ...allow(['s3:DeleteObject', 's3:PutObject'], documents('models/*')), ...HANDLER_ASSET, ...XRAY],
};
