namespace XmppUpload.Cluster.Tests;

/// <summary>The cluster on Azure Blob Storage (Azurite): the same promises as on S3.</summary>
public sealed class AzureBlobClusterTests(AzureBlobClusterFixture cluster) : ClusterTests<AzureBlobClusterFixture>(cluster), IClassFixture<AzureBlobClusterFixture>;
