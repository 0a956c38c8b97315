import * as fs from 'fs';
import * as path from 'path';
import { AssetHashType, Aws, BundlingOutput, DockerImage } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import * as tar from 'tar';

/** The model handler's source: `model/code/` (inference.py), shipped as `code/` in the archive. */
export const MODEL_CODE_DIR = path.join(__dirname, '..', '..', 'model', 'code');

/** Files that are not part of the handler (caches of a local test run). */
const EXCLUDE = ['__pycache__', '*.pyc'];

/**
 * Writes `model.tar.gz` holding `code/<files>`, byte for byte the same for the same source:
 * sorted entries, mtime 0, no owner names (node-tar `portable`).
 */
export function writeModelCodeArchive(sourceDir: string, archive: string): void {
  const files = fs
    .readdirSync(sourceDir)
    .filter((f) => !f.endsWith('.pyc') && f !== '__pycache__' && fs.statSync(path.join(sourceDir, f)).isFile())
    .sort();
  const staging = fs.mkdtempSync(path.join(path.dirname(archive), '.model-code-'));
  try {
    fs.mkdirSync(path.join(staging, 'code'));
    for (const f of files) fs.copyFileSync(path.join(sourceDir, f), path.join(staging, 'code', f));
    tar.create(
      // Entries listed explicitly (no directory walk), so their order never depends on the file system.
      { gzip: { level: 9 }, file: archive, cwd: staging, portable: true, mtime: new Date(0), sync: true, noDirRecurse: true },
      ['code', ...files.map((f) => `code/${f}`)],
    );
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * The model handler as a SageMaker model artifact: a CDK file asset built at synth, offline
 * (local bundling with node-tar, no Docker), hashed from its source so an unchanged handler keeps
 * the same S3 object and never replaces the model.
 *
 * How the Hugging Face toolkit finds it (sagemaker-huggingface-inference-toolkit):
 * SageMaker extracts `ModelDataUrl` into `/opt/ml/model`; `mms_model_server.start_model_server`
 * calls sagemaker-inference's `_set_python_path()`, which puts `/opt/ml/model/code` on
 * `PYTHONPATH` (also when `HF_MODEL_ID` makes it download the weights elsewhere), and
 * `handler_service.HuggingFaceHandlerService.validate_and_initialize_user_module` imports
 * `SAGEMAKER_PROGRAM` (default `inference.py`) and takes its `model_fn` and `transform_fn`
 * (model/code/inference.py's docstring states how each hook is called).
 */
export class ModelHandlerCode extends Construct {
  public readonly asset: s3assets.Asset;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.asset = new s3assets.Asset(this, 'Asset', {
      path: MODEL_CODE_DIR,
      exclude: EXCLUDE,
      assetHashType: AssetHashType.SOURCE,
      bundling: {
        // Never pulled: local bundling always succeeds (the image is required by the type only).
        image: DockerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable'),
        outputType: BundlingOutput.ARCHIVED,
        local: {
          tryBundle(outputDir: string): boolean {
            writeModelCodeArchive(MODEL_CODE_DIR, path.join(outputDir, 'model.tar.gz'));
            return true;
          },
        },
      },
    });
  }

  /** `s3://…/<hash>.tar.gz`, for `ModelDataUrl`. */
  public get s3ObjectUrl(): string {
    return this.asset.s3ObjectUrl;
  }

  /**
   * `s3:GetObject` on this one object, nothing else (not `Asset.grantRead`, which also grants
   * listing and reading the whole staging bucket).
   */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject'],
      resourceArns: [`arn:${Aws.PARTITION}:s3:::${this.asset.s3BucketName}/${this.asset.s3ObjectKey}`],
    });
  }
}
