namespace NodeAgent.Failures;

/// <summary>
/// The exception and its inner exceptions, outermost first. The AWS SDK and the Docker client wrap the cause
/// (a socket error, a timeout) in their own exceptions, so classifying a failure means looking down the chain.
/// </summary>
internal static class ExceptionChain
{
    /// <summary>The first exception in the chain that is a <typeparamref name="T"/>, or null.</summary>
    public static T? Find<T>(Exception? e)
        where T : Exception
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is T match)
            {
                return match;
            }
        }

        return null;
    }

    /// <summary>The root cause: the last exception of the chain.</summary>
    public static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }
}
