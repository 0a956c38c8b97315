import { AUTO_DELETE_OBJECTS_ROLE } from '../constructs/document-store.permissions';
import { ENDPOINT_LOG_GROUP_MANAGER_ROLE } from '../constructs/endpoint-log-group.permissions';
import { REPACK_ROLE } from '../constructs/model-artifact-with-handler.permissions';
import { HANDLER_ARCHIVE_COPY_ROLE, STAGED_MODEL_COPY_ROLE } from '../constructs/staged-model-with-handler.permissions';
import { MODEL_EXECUTION_ROLE } from '../constructs/summarization-model.permissions';
import { PIPELINE_INVOKER_ROLE, PIPELINE_RECORDER_ROLE } from '../constructs/summary-pipeline.permissions';
import type { RoleAllowList } from './allow';

/** Every role the app can synthesize, with its allow-list. */
export const ALLOW_LISTS: readonly RoleAllowList[] = [
  MODEL_EXECUTION_ROLE,
  ENDPOINT_LOG_GROUP_MANAGER_ROLE,
  PIPELINE_INVOKER_ROLE,
  PIPELINE_RECORDER_ROLE,
  STAGED_MODEL_COPY_ROLE,
  HANDLER_ARCHIVE_COPY_ROLE,
  REPACK_ROLE,
  AUTO_DELETE_OBJECTS_ROLE,
];
