namespace Vod.Integration.Tests.Infrastructure;

public static class Lifetime
{
    /// <summary>
    /// Runs a set-up, and if it throws, tears down what it started before rethrowing: xunit does not call
    /// <c>DisposeAsync</c> when <c>InitializeAsync</c> fails, and a process left running would slow every later test.
    /// </summary>
    public static async Task InitializeOrDisposeAsync(this IAsyncLifetime owner, Func<Task> initialize)
    {
        try
        {
            await initialize();
        }
        catch
        {
            await owner.DisposeAsync();
            throw;
        }
    }
}
