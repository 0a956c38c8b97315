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
"""

import json
import os
import signal
import sys
import threading

from moto import server
from moto.cloudformation import custom_model
from moto.core.common_models import CloudFormationModel
from moto.kms import models as kms_models
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


def _create_custom_resource(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    from moto.cloudformation import cloudformation_backends
    from moto.moto_api._internal import mock_random

    properties = cloudformation_json["Properties"]
    stack_id = kwargs["StackId"]
    resource = custom_model.CustomModel(region_name, str(mock_random.uuid4()), kwargs["LogicalId"], resource_name)
    cloudformation_backends[account_id][region_name].get_stack(stack_id).add_custom_resource(resource)
    event = {
        "RequestType": "Create",
        "ServiceToken": properties["ServiceToken"],
        "ResponseURL": f"http://127.0.0.1:{PORT}/cloudformation_{region_name}/cfnresponse?stack={stack_id}",
        "StackId": stack_id,
        "RequestId": resource.request_id,
        "LogicalResourceId": kwargs["LogicalId"],
        "ResourceType": kwargs["ResourceType"],
        "ResourceProperties": properties,
    }
    with _lock, open(EVENTS_FILE, "a", encoding="utf-8") as f:
        f.write(json.dumps(event) + "\n")
    return resource


custom_model.CustomModel.create_from_cloudformation_json = classmethod(_create_custom_resource)


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


def _stop(*_):
    os._exit(0)


signal.signal(signal.SIGTERM, _stop)
threading.Timer(LIFETIME, _stop).start()

if __name__ == "__main__":
    server.main(["-H", "127.0.0.1", "-p", PORT])
