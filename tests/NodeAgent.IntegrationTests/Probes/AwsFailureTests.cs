using Amazon.Runtime;

using NodeAgent.Probes;
using NodeAgent.Sources;

namespace NodeAgent.IntegrationTests.Probes;

/// <summary>
/// Error codes moto cannot produce on demand (expired tokens, clock skew, wrong-region redirects) classified from
/// the SDK's own exception type; the codes moto does produce are covered end to end in BucketAndIdentityProbeTests.
/// </summary>
public sealed class AwsFailureTests
{
    private static readonly AwsCallContext Call = new("https://s3.us-east-1.amazonaws.com", "us-east-1",
        new CredentialSource.StaticKeys(new AwsCredentials(Secret.AccessKeyId("ASIAIOSFODNN7EXAMPLE"), Secret.Of(new string('s', 40)), Secret.Of("token"))), TimeSpan.FromSeconds(5), "expanso-raw");

    [Theory]
    [InlineData("ExpiredToken", AwsFailureKind.Credentials, "session token of access key ASIA…MPLE is expired")]
    [InlineData("RequestTimeTooSkewed", AwsFailureKind.Credentials, "the host clock is off")]
    [InlineData("AccessDenied", AwsFailureKind.AccessDenied, "access denied: missing s3:PutObject on arn:aws:s3:::expanso-raw/*")]
    [InlineData("PermanentRedirect", AwsFailureKind.WrongRegion, "bucket 'expanso-raw' is not in the configured region us-east-1")]
    [InlineData("InternalError", AwsFailureKind.Other, "s3:PutObject failed: InternalError")]
    public void An_AWS_error_code_is_classified_with_what_happened_and_a_fix(string code, AwsFailureKind kind, string detail)
    {
        var failure = AwsFailure.Classify(new AmazonServiceException("server message") { ErrorCode = code }, Call,
            "s3:PutObject", "arn:aws:s3:::expanso-raw/*");

        Assert.Equal(kind, failure.Kind);
        Assert.Contains(detail, failure.Detail);
        Assert.False(string.IsNullOrWhiteSpace(failure.Fix));
    }

    [Fact]
    public void A_cancelled_call_is_classified_as_no_answer_within_the_timeout()
    {
        var failure = AwsFailure.Classify(new TaskCanceledException("x", new TimeoutException()), Call, "s3:ListBucket", "arn:aws:s3:::expanso-raw");

        Assert.Equal(AwsFailureKind.Timeout, failure.Kind);
        Assert.Equal("no answer from https://s3.us-east-1.amazonaws.com within 5 s", failure.Detail);
        Assert.True(failure.StopsProbe);
    }
}
