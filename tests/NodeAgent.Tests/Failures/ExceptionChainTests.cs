using System.Net.Sockets;

using NodeAgent.Failures;

namespace NodeAgent.Tests.Failures;

public sealed class ExceptionChainTests
{
    [Fact]
    public void Find_looks_down_the_chain_and_Innermost_is_the_root_cause()
    {
        var socket = new SocketException((int)SocketError.ConnectionRefused);
        var chain = new InvalidOperationException("outer", new HttpRequestException("middle", socket));

        Assert.Same(socket, ExceptionChain.Find<SocketException>(chain));
        Assert.IsType<HttpRequestException>(ExceptionChain.Find<HttpRequestException>(chain));
        Assert.Null(ExceptionChain.Find<TimeoutException>(chain));
        Assert.Null(ExceptionChain.Find<TimeoutException>(null));
        Assert.Same(socket, ExceptionChain.Innermost(chain));
    }
}
