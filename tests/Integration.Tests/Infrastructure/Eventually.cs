namespace Vod.Integration.Tests.Infrastructure;

/// <summary>Polls a condition that a running system should reach, failing the test with a message when it does not in time.</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, string failure = "condition not met in time")
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(100);
        }
    }

    public static Task TrueAsync(Func<bool> condition, TimeSpan timeout, string failure = "condition not met in time") =>
        TrueAsync(() => Task.FromResult(condition()), timeout, failure);
}
