import { DescribeEndpointCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';

/**
 * Whether an endpoint exists. DescribeEndpoint answers a missing endpoint with a
 * `ValidationException` "Could not find endpoint …" (the SageMaker API has no NotFound error for
 * endpoints); any other error is thrown, so a throttled or denied call never reads as "gone".
 */
export async function endpointExists(sagemaker: Pick<SageMakerClient, 'send'>, endpointName: string): Promise<boolean> {
  try {
    await sagemaker.send(new DescribeEndpointCommand({ EndpointName: endpointName }));
    return true;
  } catch (e) {
    const error = e as Error;
    if (error?.name === 'ValidationException' && /could not find endpoint/i.test(error.message)) return false;
    throw e;
  }
}
