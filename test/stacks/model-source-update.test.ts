import { fullDiff, ResourceImpact } from '@aws-cdk/cloudformation-diff';
import { buildTestApp } from '../helpers/app';

/**
 * A live stack moved from a Hub model to its staged copy (and back): what CloudFormation will
 * replace, update or create, as `cdk diff` computes it from the resource specification
 * (@aws-cdk/cloudformation-diff). The data stores, the endpoint and the pipeline are left alone;
 * only the model and its endpoint config are replaced (a new model is a new config; the endpoint
 * is updated in place, keeping its name and queue). The lifecycle suite deploys the same change.
 */
function impacts(from: Record<string, string>, to: Record<string, string>): Record<string, string> {
  const diff = fullDiff(buildTestApp(from).template.toJSON(), buildTestApp(to).template.toJSON());
  const out: Record<string, string> = {};
  diff.resources.forEachDifference((id, change) => {
    out[`${change.resourceType} ${id.replace(/[0-9A-F]{8}$/, '')}`] = String(change.changeImpact);
  });
  return out;
}

test('Hub → staged: the model and its endpoint config are replaced, the role updated, the copy added and the Hub handler archive removed; nothing else changes', () => {
  expect(impacts({}, { modelSource: 'staged' })).toEqual({
    'Custom::HandlerArchiveInAppBucket ModelHandlerArchive': ResourceImpact.WILL_DESTROY,
    'AWS::Lambda::Function ModelHandlerArchiveCopy': ResourceImpact.WILL_DESTROY,
    'AWS::IAM::Role ModelHandlerArchiveCopyRole': ResourceImpact.WILL_DESTROY,
    'AWS::IAM::Policy ModelHandlerArchiveCopyRoleDefaultPolicy': ResourceImpact.WILL_DESTROY,
    'AWS::Logs::LogGroup ModelHandlerArchiveCopyLogs': ResourceImpact.WILL_DESTROY,
    'AWS::SageMaker::Model Model': ResourceImpact.WILL_REPLACE,
    'AWS::SageMaker::EndpointConfig EndpointConfig': ResourceImpact.WILL_REPLACE,
    'AWS::IAM::Policy ModelExecutionRoleDefaultPolicy': ResourceImpact.WILL_UPDATE,
    'Custom::StagedModelWithHandler ModelStagedWithHandler': ResourceImpact.WILL_CREATE,
    'AWS::Lambda::Function ModelStagedWithHandlerCopy': ResourceImpact.WILL_CREATE,
    'AWS::IAM::Role ModelStagedWithHandlerCopyRole': ResourceImpact.WILL_CREATE,
    'AWS::IAM::Policy ModelStagedWithHandlerCopyRoleDefaultPolicy': ResourceImpact.WILL_CREATE,
    'AWS::Logs::LogGroup ModelStagedWithHandlerCopyLogs': ResourceImpact.WILL_CREATE,
  });
});

test('staged → Hub: the same in reverse (the copy and its function are removed)', () => {
  const back = impacts({ modelSource: 'staged' }, {});
  expect(back['AWS::SageMaker::Model Model']).toBe(ResourceImpact.WILL_REPLACE);
  expect(back['Custom::StagedModelWithHandler ModelStagedWithHandler']).toBe(ResourceImpact.WILL_DESTROY);
  expect(back['Custom::HandlerArchiveInAppBucket ModelHandlerArchive']).toBe(ResourceImpact.WILL_CREATE);
  expect(Object.keys(back).filter((k) => !/Model|EndpointConfig/.test(k))).toEqual([]);
});

test('a new revision of the staged model: a new copy and model, nothing else', () => {
  const next = impacts({ modelSource: 'staged' }, { modelSource: 'staged', modelRevision: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678' });
  expect(next).toEqual({
    'AWS::SageMaker::Model Model': ResourceImpact.WILL_REPLACE,
    'AWS::SageMaker::EndpointConfig EndpointConfig': ResourceImpact.WILL_REPLACE,
    // The diff cannot classify a custom resource's change: CloudFormation sends it an Update, the
    // function answers with a new physical id (the new revision's prefix), and CloudFormation
    // deletes the old copy once the update succeeded.
    'Custom::StagedModelWithHandler ModelStagedWithHandler': ResourceImpact.NO_CHANGE,
    'AWS::IAM::Policy ModelExecutionRoleDefaultPolicy': ResourceImpact.WILL_UPDATE,
    'AWS::IAM::Policy ModelStagedWithHandlerCopyRoleDefaultPolicy': ResourceImpact.WILL_UPDATE,
    'AWS::Lambda::Function PipelineInvoker': ResourceImpact.WILL_UPDATE, // MODEL_REVISION, recorded with each summary
    'AWS::Lambda::Function PipelineRecorder': ResourceImpact.WILL_UPDATE,
  });
});
