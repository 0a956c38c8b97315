"""moto in server mode on 127.0.0.1, as this app's AWS account for the lifecycle suite.

Run: python moto_server.py PORT EVENTS_FILE. It stops by itself after MOTO_LIFETIME_SECONDS
(default 1200) whatever the suite does, and on SIGTERM.

Harness workarounds, each where moto differs from AWS (never in the app):

1. AWS::KMS::Key tags: CloudFormation gives `Tags` as `[{"Key", "Value"}]` (AWS::KMS::Key,
   CloudFormation User Guide); moto's KMS model reads them as `TagKey`/`TagValue` and fails the
   stack. Converted before moto reads them.
2. Custom resources: CloudFormation invokes the service token's Lambda with a Create event and
   waits for the response at the pre-signed ResponseURL (CloudFormation User Guide, "Custom
   resources", request and response objects). moto would run the function in Docker, which this
   machine does not have. Instead each request event moto builds (properties resolved) is
   appended to EVENTS_FILE; the suite runs the bundled handler in-process with it, and the
   handler answers at the ResponseURL as it would in AWS.
3. Instance types: moto's endpoint configs accept an old list of instance types without g5 or g6,
   which the ProductionVariantInstanceType enum of the SageMaker API has (botocore
   sagemaker/2017-07-24 service model). Any `ml.<family>.<size>` is accepted.
4. Resource types moto's CloudFormation has no model for (AWS::CloudWatch::Alarm,
   AWS::ApplicationAutoScaling::ScalableTarget and ::ScalingPolicy, AWS::S3::BucketPolicy,
   AWS::SNS::Subscription, AWS::SNS::TopicPolicy, AWS::SQS::QueuePolicy): moto skips them, and a
   Ref or GetAtt to one fails the stack. Each becomes a placeholder that resolves as
   CloudFormation documents for the type (Ref: an alarm's name, a scaling policy's ARN, a
   scalable target's "namespace|resource|dimension" id; GetAtt Arn: the ARN), so the rest of the
   stack is created, updated and deleted as in AWS. What they would do (alarms, scaling, resource
   policies) is covered by the template tests, not here.
5. AWS::SageMaker::Endpoint: CloudFormation names the endpoint after its EndpointName property
   (AWS::SageMaker::Endpoint, CloudFormation User Guide); moto generates a name instead. moto is
   told the property that names it.
6. CloudWatch Logs AssociateKmsKey (CloudWatch Logs API Reference): moto does not implement it.
   It sets the group's key, as the API does for new log events.
7. Custom resource responses: moto acts only on SUCCESS and drops a FAILED one silently, where
   CloudFormation fails the stack with its Reason. Every response is also appended to
   EVENTS_FILE.responses, so the suite can assert it.
8. UpdateStack with UsePreviousValue for a parameter the stack took its Default for (the CDK's
   BootstrapVersion): CloudFormation keeps the previous value (UpdateStack API, Parameter
   UsePreviousValue); moto fails with a KeyError. The template's Default applies again instead,
   which is the same value.
10. Custom resource updates and deletes: CloudFormation sends the function an Update request
    (with OldResourceProperties and the PhysicalResourceId it returned) when a custom resource's
    properties change, and a Delete request when the stack is deleted (CloudFormation User Guide,
    "Custom resources", request types); moto sends neither. Both are recorded like a Create.
11. A resource removed by a stack update and added again by a later one (the endpoint of an
    instance type the stage switches back to): CloudFormation creates it again; moto deletes it
    but keeps it in the stack's resource map, so the later update "finds" it and creates nothing.
    A removed resource leaves the map.
9. Change sets: moto cannot find a stack's change set by name once the stack exists, so the CDK
   CLI waits for ever; the suite deploys with `--method=direct` (CreateStack/UpdateStack), which
   the CDK CLI offers and CloudFormation supports. (This one is in lifecycle.test.ts.)
"""

import json
import os
import signal
import sys
import threading

from moto import server
from moto.cloudformation import custom_model
from moto.core.common_models import CloudFormationModel
from moto.cloudformation import models as cloudformation_models
from moto.cloudformation import parsing as cloudformation_parsing
from moto.cloudformation import responses as cloudformation_responses
from moto.kms import models as kms_models
from moto.logs import exceptions as logs_exceptions
from moto.logs import responses as logs_responses
from moto.sagemaker import models as sagemaker_models

PORT, EVENTS_FILE = sys.argv[1], sys.argv[2]
LIFETIME = float(os.environ.get("MOTO_LIFETIME_SECONDS", "1200"))
_lock = threading.Lock()

_create_key = kms_models.Key.create_from_cloudformation_json.__func__


def _create_key_with_cfn_tags(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    properties = cloudformation_json["Properties"]
    properties["Tags"] = [{"TagKey": t["Key"], "TagValue": t["Value"]} for t in properties.get("Tags", [])]
    return _create_key(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)


kms_models.Key.create_from_cloudformation_json = classmethod(_create_key_with_cfn_tags)


# The PhysicalResourceId each custom resource's function last returned, by (stack id, logical id).
_returned_physical_ids = {}


_request_types = {}


def _record_request(request_type, resource, region_name, properties, **extra):
    _request_types[resource.request_id] = request_type
    event = {
        "RequestType": request_type,
        "ServiceToken": properties["ServiceToken"],
        "ResponseURL": f"http://127.0.0.1:{PORT}/cloudformation_{region_name}/cfnresponse?stack={resource.stack_id}",
        "StackId": resource.stack_id,
        "RequestId": resource.request_id,
        "LogicalResourceId": resource.logical_id,
        "ResourceType": resource.resource_type,
        "ResourceProperties": properties,
        **extra,
    }
    with _lock, open(EVENTS_FILE, "a", encoding="utf-8") as f:
        f.write(json.dumps(event) + "\n")


def _new_custom_resource(account_id, region_name, stack_id, logical_id, resource_type, resource_name, properties):
    from moto.cloudformation import cloudformation_backends
    from moto.moto_api._internal import mock_random

    resource = custom_model.CustomModel(region_name, str(mock_random.uuid4()), logical_id, resource_name)
    resource.stack_id, resource.resource_type, resource.properties = stack_id, resource_type, properties
    resource.delete = lambda account_id, region_name: _record_request(
        "Delete", resource, region_name, resource.properties,
        PhysicalResourceId=_returned_physical_ids.get((resource.stack_id, resource.logical_id), resource.resource_name),
    )
    cloudformation_backends[account_id][region_name].get_stack(stack_id).add_custom_resource(resource)
    return resource


def _create_custom_resource(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    from moto.cloudformation import cloudformation_backends

    properties = cloudformation_json["Properties"]
    deleting = cloudformation_backends[account_id][region_name].get_stack(kwargs["StackId"]).status.startswith("DELETE")
    resource = _new_custom_resource(account_id, region_name, kwargs["StackId"], kwargs["LogicalId"], kwargs["ResourceType"], resource_name, properties)
    # moto builds resources lazily and may build one again while it deletes the stack;
    # CloudFormation never creates anything then.
    if not deleting:
        _record_request("Create", resource, region_name, properties)
    return resource


def _update_custom_resource(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    properties = cloudformation_json["Properties"]
    old = original_resource
    resource = _new_custom_resource(account_id, region_name, old.stack_id, old.logical_id, old.resource_type, old.resource_name, properties)
    _record_request(
        "Update", resource, region_name, properties,
        OldResourceProperties=old.properties,
        PhysicalResourceId=_returned_physical_ids.get((old.stack_id, old.logical_id), old.resource_name),
    )
    return resource


custom_model.CustomModel.create_from_cloudformation_json = classmethod(_create_custom_resource)
custom_model.CustomModel.update_from_cloudformation_json = classmethod(_update_custom_resource)


def _validate_instance_type(self, instance_type):
    import re

    if not re.fullmatch(r"ml\.[a-z0-9]+\.[a-z0-9]+", instance_type):
        raise sagemaker_models.ValidationError(message=f"Value '{instance_type}' at 'instanceType' is not an instance type")


sagemaker_models.FakeEndpointConfig.validate_instance_type = _validate_instance_type


def _placeholder(cfn_type, ref, arn):
    class Placeholder(CloudFormationModel):
        # moto's model metaclass reads the service from the module name (moto.<service>.…).
        __module__ = "moto.cloudformation.placeholders"

        def __init__(self, name, properties, account_id, region_name):
            self.name, self.properties, self.account_id, self.region_name = name, properties, account_id, region_name

        @staticmethod
        def cloudformation_type():
            return cfn_type

        @staticmethod
        def cloudformation_name_type():
            return ""

        @classmethod
        def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
            return cls(resource_name, cloudformation_json.get("Properties", {}), account_id, region_name)

        @classmethod
        def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
            return cls(original_resource.name, cloudformation_json.get("Properties", {}), account_id, region_name)

        @classmethod
        def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
            return None

        def delete(self, account_id, region_name):
            return None

        @property
        def physical_resource_id(self):
            return ref(self)

        @classmethod
        def has_cfn_attr(cls, attr):
            return attr == "Arn"

        def get_cfn_attribute(self, attribute_name):
            return arn(self)

    Placeholder.__name__ = "Placeholder" + cfn_type.replace("::", "")
    return Placeholder


def _arn(service, resource):
    return lambda p: f"arn:aws:{service}:{p.region_name}:{p.account_id}:{resource(p)}"


def _alarm_name(p):
    return p.properties.get("AlarmName") or p.name


PLACEHOLDERS = [
    _placeholder("AWS::CloudWatch::Alarm", _alarm_name, _arn("cloudwatch", lambda p: f"alarm:{_alarm_name(p)}")),
    _placeholder(
        "AWS::ApplicationAutoScaling::ScalableTarget",
        lambda p: "|".join(str(p.properties.get(k)) for k in ("ServiceNamespace", "ResourceId", "ScalableDimension")),
        _arn("application-autoscaling", lambda p: f"scalable-target/{p.name}"),
    ),
    _placeholder(
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        _arn("autoscaling", lambda p: f"scalingPolicy:{p.name}:resource/sagemaker/policyName/{p.properties.get('PolicyName')}"),
        _arn("autoscaling", lambda p: f"scalingPolicy:{p.name}:resource/sagemaker/policyName/{p.properties.get('PolicyName')}"),
    ),
    *[_placeholder(t, lambda p: p.name, lambda p: p.name) for t in ("AWS::S3::BucketPolicy", "AWS::SNS::Subscription", "AWS::SNS::TopicPolicy", "AWS::SQS::QueuePolicy")],
]


sagemaker_models.FakeEndpoint.cloudformation_name_type = staticmethod(lambda: "EndpointName")


def _associate_kms_key(self):
    group = self.logs_backend.groups.get(self._get_param("logGroupName"))
    if group is None:
        raise logs_exceptions.ResourceNotFoundException()
    group.kms_key_id = self._get_param("kmsKeyId")
    return ""


logs_responses.LogsResponse.associate_kms_key = _associate_kms_key

_process_cfn_response = cloudformation_responses.CloudFormationResponse.process_cfn_response


def _record_cfn_response(self):
    response = {k: self._get_param(k) for k in ("Status", "Reason", "StackId", "RequestId", "LogicalResourceId", "PhysicalResourceId", "Data")}
    with _lock, open(EVENTS_FILE + ".responses", "a", encoding="utf-8") as f:
        f.write(json.dumps(response) + "\n")
    if response["Status"] == "SUCCESS":
        _returned_physical_ids[(response["StackId"], response["LogicalResourceId"])] = response["PhysicalResourceId"]
    if _request_types.get(response["RequestId"]) == "Delete":
        # moto has deleted the stack already; processing the answer would mark it complete again.
        return 200, {"status": 200}, json.dumps("{}")
    return _process_cfn_response(self)


cloudformation_responses.CloudFormationResponse.process_cfn_response = _record_cfn_response


def _resolve_update_parameters(self, instance, incoming_params):
    parameters = {p["ParameterKey"]: p["ParameterValue"] for p in incoming_params if "ParameterValue" in p}
    for p in incoming_params:
        if p.get("UsePreviousValue", False) and p["ParameterKey"] in instance.parameters:
            parameters[p["ParameterKey"]] = instance.parameters[p["ParameterKey"]]
    return parameters


cloudformation_models.CloudFormationBackend._resolve_update_parameters = _resolve_update_parameters


_delete_resource = cloudformation_parsing.ResourceMap._delete_resource


_update = cloudformation_parsing.ResourceMap.update


def _delete_and_forget_resource(self, parsed_resource, resource_json):
    _delete_resource(self, parsed_resource, resource_json)
    if getattr(self, "_updating", False):  # stack deletion pops what it deleted itself
        for logical_id, resource in list(self._parsed_resources.items()):
            if resource is parsed_resource:
                del self._parsed_resources[logical_id]


def _update_forgetting_removed(self, template, parameters=None):
    self._updating = True
    try:
        return _update(self, template, parameters)
    finally:
        self._updating = False


cloudformation_parsing.ResourceMap._delete_resource = _delete_and_forget_resource
cloudformation_parsing.ResourceMap.update = _update_forgetting_removed


def _stop(*_):
    os._exit(0)


signal.signal(signal.SIGTERM, _stop)
threading.Timer(LIFETIME, _stop).start()

if __name__ == "__main__":
    server.main(["-H", "127.0.0.1", "-p", PORT])
