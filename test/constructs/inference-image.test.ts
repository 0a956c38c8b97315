import { Match } from 'aws-cdk-lib/assertions';
import {
  HF_DLC_REGISTRY_ACCOUNTS,
  UNCONFIRMED_HF_DLC_REGISTRY_ACCOUNTS,
} from '../../lib/constructs/inference-image';
import { buildTestApp, defaultTestApp, executionStatements } from '../helpers/app';
import { evaluate, TARGETS } from '../helpers/intrinsics';

const TAG = '2.6.0-transformers4.51.3-gpu-py312-cu124-ubuntu22.04';

function modelImage(template = defaultTestApp().template): unknown {
  const [model] = Object.values(template.findResources('AWS::SageMaker::Model'));
  return model.Properties.PrimaryContainer.Image;
}

function executionPolicyStatements(template = defaultTestApp().template): any[] {
  return executionStatements(template);
}

describe('Hugging Face DLC image URI, resolved per region from one region-agnostic template', () => {
  const expected: Record<string, string> = {
    'us-east-1': `763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-inference:${TAG}`,
    'af-south-1': `626614931356.dkr.ecr.af-south-1.amazonaws.com/huggingface-pytorch-inference:${TAG}`,
    'cn-north-1': `727897471807.dkr.ecr.cn-north-1.amazonaws.com.cn/huggingface-pytorch-inference:${TAG}`,
    'us-gov-west-1': `442386744353.dkr.ecr.us-gov-west-1.amazonaws.com/huggingface-pytorch-inference:${TAG}`,
  };

  test.each(Object.entries(expected))('%s', (region, uri) => {
    const template = defaultTestApp().template.toJSON();
    expect(evaluate(modelImage(), template, TARGETS[region])).toBe(uri);
  });

  test.each(Object.keys(expected))('ECR pull is scoped to the one DLC repository in %s', (region) => {
    const template = defaultTestApp().template.toJSON();
    const pull = executionPolicyStatements().find((s) => s.Sid === 'PullInferenceImage');
    expect(pull.Action).toEqual(['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer']);
    const account = evaluate(modelImage(), template, TARGETS[region]).split('.')[0];
    expect(evaluate(pull.Resource, template, TARGETS[region])).toBe(
      `arn:${TARGETS[region].partition}:ecr:${region}:${account}:repository/huggingface-pytorch-inference`,
    );
  });

  test('the mapping covers all 35 regions of the SDK map, plus the unconfirmed ones', () => {
    const mapping = defaultTestApp().template.toJSON().Mappings.HuggingFaceDlcRegistryAccounts;
    expect(Object.keys(HF_DLC_REGISTRY_ACCOUNTS)).toHaveLength(35);
    for (const [region, account] of Object.entries({
      ...HF_DLC_REGISTRY_ACCOUNTS,
      ...UNCONFIRMED_HF_DLC_REGISTRY_ACCOUNTS,
    })) {
      expect(mapping[region]).toEqual({ account });
    }
    expect(Object.keys(mapping)).toHaveLength(40);
  });

  test('an image tag override keeps the per-region registry', () => {
    const { template } = buildTestApp({ image: '2.6.0-transformers4.49.0-gpu-py312-cu124-ubuntu22.04' });
    expect(evaluate(modelImage(template), template.toJSON(), TARGETS['us-east-1'])).toBe(
      '763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-inference:2.6.0-transformers4.49.0-gpu-py312-cu124-ubuntu22.04',
    );
  });
});

describe('a full ECR image URI', () => {
  test('is used as given, and pulls are scoped to its repository', () => {
    const uri = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/research/pegasus-custom:2024-06';
    const { template } = buildTestApp({ image: uri });
    expect(modelImage(template)).toBe(uri);
    expect(template.toJSON().Mappings?.HuggingFaceDlcRegistryAccounts).toBeUndefined();
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'PullInferenceImage',
            Resource: 'arn:aws:ecr:eu-west-1:123456789012:repository/research/pegasus-custom',
          }),
        ]),
      },
    });
  });

  test('in China, the repository ARN is in the aws-cn partition', () => {
    const digest = 'sha256:' + 'a'.repeat(64);
    const uri = `727897471807.dkr.ecr.cn-north-1.amazonaws.com.cn/huggingface-pytorch-inference@${digest}`;
    const { template } = buildTestApp({ image: uri });
    const pull = executionPolicyStatements(template).find((s) => s.Sid === 'PullInferenceImage');
    expect(pull.Resource).toBe('arn:aws-cn:ecr:cn-north-1:727897471807:repository/huggingface-pytorch-inference');
  });

  test('in GovCloud, the repository ARN is in the aws-us-gov partition', () => {
    const uri = '442386744353.dkr.ecr.us-gov-west-1.amazonaws.com/huggingface-pytorch-inference:' + TAG;
    const pull = executionPolicyStatements(buildTestApp({ image: uri }).template).find(
      (s) => s.Sid === 'PullInferenceImage',
    );
    expect(pull.Resource).toBe('arn:aws-us-gov:ecr:us-gov-west-1:442386744353:repository/huggingface-pytorch-inference');
  });
});
