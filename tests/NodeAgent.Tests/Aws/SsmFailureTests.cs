using Amazon.Runtime;

using NodeAgent.Aws;

namespace NodeAgent.Tests.Aws;

/// <summary>What an operator reads when the sources parameter cannot be read: the parameter, the action and the ARN.</summary>
public sealed class SsmFailureTests
{
    private static readonly SsmCall Call = new("/expanso/s3-config", "us-west-2", "https://ssm.us-west-2.amazonaws.com", TimeSpan.FromSeconds(5));

    [Theory]
    [InlineData("/expanso/s3-config", "arn:aws:ssm:us-west-2:111122223333:parameter/expanso/s3-config")]
    [InlineData("s3-config", "arn:aws:ssm:us-west-2:111122223333:parameter/s3-config")]
    [InlineData("arn:aws:ssm:eu-west-1:444455556666:parameter/x", "arn:aws:ssm:eu-west-1:444455556666:parameter/x")]
    public void The_parameter_arn_does_not_repeat_the_leading_slash_and_an_arn_is_kept(string name, string arn) =>
        Assert.Equal(arn, SsmFailure.ParameterArn(name, "us-west-2", "111122223333"));

    [Fact]
    public void Access_denied_names_the_action_the_arn_with_the_callers_account_and_kms()
    {
        var denied = new AmazonServiceException(
            "User: arn:aws:sts::111122223333:assumed-role/nodeagent/i-0abc is not authorized to perform: ssm:GetParameter on resource: x")
        { ErrorCode = "AccessDeniedException", StatusCode = System.Net.HttpStatusCode.BadRequest };

        var error = SsmFailure.Classify(denied, Call);

        Assert.Equal("ssm:/expanso/s3-config", error.File);
        Assert.Contains("may not ssm:GetParameter on arn:aws:ssm:us-west-2:111122223333:parameter/expanso/s3-config", error.What, StringComparison.Ordinal);
        Assert.Contains("assumed-role/nodeagent/i-0abc", error.What, StringComparison.Ordinal);
        Assert.Contains("kms:Decrypt", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Throttling_says_what_to_set()
    {
        var throttled = new AmazonServiceException("Rate exceeded") { ErrorCode = "ThrottlingException", StatusCode = System.Net.HttpStatusCode.BadRequest };
        var error = SsmFailure.Classify(throttled, Call);
        Assert.Contains("poll_seconds", error.Fix, StringComparison.Ordinal);
        Assert.Contains("high-throughput-enabled", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_timeout_names_the_endpoint_and_the_limit()
    {
        var error = SsmFailure.Classify(new TaskCanceledException("The request was canceled", new TimeoutException()), Call);
        Assert.Equal("no answer from https://ssm.us-west-2.amazonaws.com within 5 s", error.What);
    }
}
