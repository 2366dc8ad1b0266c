"""Resource types that cost nothing by themselves, each with the reason it is free."""

from __future__ import annotations

# Types that cost nothing by themselves, grouped by the reason they are free.
FREE_BECAUSE: dict[str, tuple[str, ...]] = {
    "VPC plumbing has no charge of its own": (
        "AWS::EC2::VPC", "AWS::EC2::Subnet", "AWS::EC2::RouteTable", "AWS::EC2::Route",
        "AWS::EC2::SubnetRouteTableAssociation", "AWS::EC2::InternetGateway", "AWS::EC2::VPCGatewayAttachment",
        "AWS::EC2::NetworkAcl", "AWS::EC2::NetworkAclEntry", "AWS::EC2::SubnetNetworkAclAssociation",
        "AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress",
    ),
    "flow log delivery is billed as ingestion of its log group, priced there": ("AWS::EC2::FlowLog",),
    "a template; the node disks it describes are priced with the node group": ("AWS::EC2::LaunchTemplate",),
    "IAM has no charge": (
        "AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::InstanceProfile",
        "AWS::IAM::OIDCProvider", "AWS::IAM::ServiceLinkedRole",
    ),
    "aliases are free; the key is priced": ("AWS::KMS::Alias",),
    "public ACM certificates are free": ("AWS::CertificateManager::Certificate",),
    "EKS access entries and pod identity have no charge (add-ons are priced: Container Insights bills)": (
        "AWS::EKS::AccessEntry", "AWS::EKS::PodIdentityAssociation",
    ),
    "runs only while CloudFormation deploys; its few invocations sit inside the always-free tier": (
        "AWS::Lambda::Function", "AWS::Lambda::LayerVersion", "AWS::Lambda::Permission",
        "AWS::StepFunctions::StateMachine", "AWS::CloudFormation::CustomResource", "AWS::CloudFormation::Stack",
        "AWS::CloudFormation::WaitConditionHandle", "AWS::CDK::Metadata",
    ),
    "configuration of a priced resource; no charge of its own": (
        "AWS::RDS::DBSubnetGroup", "AWS::RDS::DBClusterParameterGroup", "AWS::RDS::DBParameterGroup",
        "AWS::RDS::EventSubscription", "AWS::ElastiCache::SubnetGroup", "AWS::ElastiCache::ParameterGroup",
        "AWS::MSK::Configuration", "AWS::MSK::ClusterPolicy",
        "AWS::ElasticLoadBalancingV2::Listener", "AWS::ElasticLoadBalancingV2::TargetGroup",
        "AWS::ElasticLoadBalancingV2::ListenerRule", "AWS::ElasticLoadBalancingV2::ListenerCertificate",
    ),
    "rotation has no charge; its Lambda runs inside the free tier": ("AWS::SecretsManager::RotationSchedule",),
    "metadata of a priced secret or repository": (
        "AWS::SecretsManager::SecretTargetAttachment", "AWS::SecretsManager::ResourcePolicy",
        "AWS::ECR::RegistryPolicy", "AWS::ECR::ReplicationConfiguration",
    ),
    "no charge of its own; the log group or alarm it serves is priced": (
        "AWS::Logs::LogStream", "AWS::Logs::ResourcePolicy", "AWS::Logs::SubscriptionFilter",
        "AWS::Logs::QueryDefinition", "AWS::CloudWatch::AnomalyDetector",
    ),
    "log delivery configuration has no charge; the vended logs are priced on the log group they land in": (
        "AWS::Logs::DeliverySource", "AWS::Logs::DeliveryDestination", "AWS::Logs::Delivery",
    ),
    "alert notifications stay inside SNS's always-free million publishes and thousand e-mails": (
        "AWS::SNS::Topic", "AWS::SNS::Subscription", "AWS::SNS::TopicPolicy",
    ),
    "rules on the default event bus for AWS service events have no charge": ("AWS::Events::Rule",),
    "EventBridge Scheduler's first 14 million invocations a month are free; off-hours scaling makes ~90": (
        "AWS::Scheduler::Schedule",
    ),
    "traces are priced on the EKS cluster from the usage file's requests and sampling": ("AWS::XRay::SamplingRule",),
    "groups without X-Ray Insights have no charge": ("AWS::XRay::Group",),
    "CloudFront policies have no charge; the distribution is priced": (
        "AWS::CloudFront::OriginAccessControl", "AWS::CloudFront::CachePolicy",
        "AWS::CloudFront::OriginRequestPolicy", "AWS::CloudFront::ResponseHeadersPolicy",
    ),
    "WAF bills web ACLs, rules and requests; these add no charge": (
        "AWS::WAFv2::IPSet", "AWS::WAFv2::RegexPatternSet", "AWS::WAFv2::WebACLAssociation",
        "AWS::WAFv2::LoggingConfiguration",
    ),
    "billed as one rule of the web ACL that references it": ("AWS::WAFv2::RuleGroup",),
    "backup storage is priced on the backup plan": ("AWS::Backup::BackupVault", "AWS::Backup::BackupSelection"),
    "metadata; storage, scans and crawls are priced on the bucket, work group and crawler": (
        "AWS::S3::BucketPolicy", "AWS::Glue::Database", "AWS::Glue::Table", "AWS::Glue::SecurityConfiguration",
        "AWS::Athena::NamedQuery",
    ),
    "budgets without actions have no charge": ("AWS::Budgets::Budget",),
    "Cost Anomaly Detection has no charge": ("AWS::CE::AnomalyMonitor", "AWS::CE::AnomalySubscription"),
}  # fmt: skip
FREE: dict[str, str] = {kind: reason for reason, kinds in FREE_BECAUSE.items() for kind in kinds}
