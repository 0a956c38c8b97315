import { Aws, CfnMapping, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ECR_IMAGE_URI } from '../config/schema';

/** ECR repository of the Hugging Face PyTorch inference Deep Learning Containers. */
export const HF_INFERENCE_REPOSITORY = 'huggingface-pytorch-inference';

/**
 * Region → registry account of the Hugging Face inference DLCs, as in the SageMaker Python
 * SDK's `image_uri_config/huggingface.json` (identical for every inference version). The CDK's
 * own region fact lacks several of these regions (af-south-1, ap-northeast-3, ca-west-1,
 * il-central-1, GovCloud, ISO), so the map is ours.
 */
export const HF_DLC_REGISTRY_ACCOUNTS: Readonly<Record<string, string>> = {
  'af-south-1': '626614931356',
  'ap-east-1': '871362719292',
  'ap-northeast-1': '763104351884',
  'ap-northeast-2': '763104351884',
  'ap-northeast-3': '364406365360',
  'ap-south-1': '763104351884',
  'ap-south-2': '772153158452',
  'ap-southeast-1': '763104351884',
  'ap-southeast-2': '763104351884',
  'ap-southeast-3': '907027046896',
  'ap-southeast-4': '457447274322',
  'ca-central-1': '763104351884',
  'ca-west-1': '204538143572',
  'cn-north-1': '727897471807',
  'cn-northwest-1': '727897471807',
  'eu-central-1': '763104351884',
  'eu-central-2': '380420809688',
  'eu-north-1': '763104351884',
  'eu-south-1': '692866216735',
  'eu-south-2': '503227376785',
  'eu-west-1': '763104351884',
  'eu-west-2': '763104351884',
  'eu-west-3': '763104351884',
  'il-central-1': '780543022126',
  'me-central-1': '914824155844',
  'me-south-1': '217643126080',
  'sa-east-1': '763104351884',
  'us-east-1': '763104351884',
  'us-east-2': '763104351884',
  'us-gov-east-1': '446045086412',
  'us-gov-west-1': '442386744353',
  'us-iso-east-1': '886529160074',
  'us-isob-east-1': '094389454867',
  'us-west-1': '763104351884',
  'us-west-2': '763104351884',
};

/**
 * ⚠ Unconfirmed: regions listed for Deep Learning Containers in general but absent from the
 * SDK's Hugging Face map. Whether the HF images are published there is not known; they are
 * mapped so a deployment there fails on a clear "image not found" rather than a missing
 * mapping key. Remove a region here if AWS confirms it has no HF images.
 */
export const UNCONFIRMED_HF_DLC_REGISTRY_ACCOUNTS: Readonly<Record<string, string>> = {
  'ap-east-2': '975050140332',
  'ap-southeast-5': '550225433462',
  'ap-southeast-6': '633930458069',
  'ap-southeast-7': '590183813437',
  'mx-central-1': '637423239942',
};

/** An inference image and the ECR repository the execution role must be able to pull from. */
export interface InferenceImage {
  readonly imageUri: string;
  readonly repositoryArn: string;
  /** The tag, when the image is addressed by tag (not by digest). */
  readonly tag?: string;
}

const MAPPING_ID = 'HuggingFaceDlcRegistryAccounts';

function registryMapping(scope: Construct): CfnMapping {
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild(MAPPING_ID);
  if (existing) return existing as CfnMapping;
  const mapping: Record<string, Record<string, string>> = {};
  for (const [region, account] of Object.entries({
    ...HF_DLC_REGISTRY_ACCOUNTS,
    ...UNCONFIRMED_HF_DLC_REGISTRY_ACCOUNTS,
  }).sort(([a], [b]) => a.localeCompare(b))) {
    mapping[region] = { account };
  }
  return new CfnMapping(stack, MAPPING_ID, { mapping });
}

function partitionOf(region: string, urlSuffix: string): string {
  if (urlSuffix === 'amazonaws.com.cn') return 'aws-cn';
  if (urlSuffix === 'c2s.ic.gov') return 'aws-iso';
  if (urlSuffix === 'sc2s.sgov.gov') return 'aws-iso-b';
  return region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
}

/**
 * Resolves the `image` setting. A bare tag selects the Hugging Face PyTorch inference DLC in
 * the deployment region (registry account looked up in a CloudFormation mapping, DNS suffix from
 * the partition), so the template stays region-agnostic. A full ECR URI is used as given.
 */
export function resolveInferenceImage(scope: Construct, image: string, digest?: string): InferenceImage {
  const uri = ECR_IMAGE_URI.exec(image);
  if (uri) {
    const [, account, region, urlSuffix, repository, tag] = uri;
    return {
      imageUri: image,
      repositoryArn: `arn:${partitionOf(region, urlSuffix)}:ecr:${region}:${account}:repository/${repository}`,
      tag,
    };
  }
  const account = registryMapping(scope).findInMap(Aws.REGION, 'account');
  return {
    // With a digest, the image is exactly that one: a tag can be moved to another image (a patched
    // DLC is republished under the same tag), a digest cannot.
    imageUri: `${account}.dkr.ecr.${Aws.REGION}.${Aws.URL_SUFFIX}/${HF_INFERENCE_REPOSITORY}${digest ? `@${digest}` : `:${image}`}`,
    repositoryArn: `arn:${Aws.PARTITION}:ecr:${Aws.REGION}:${account}:repository/${HF_INFERENCE_REPOSITORY}`,
    tag: image,
  };
}
