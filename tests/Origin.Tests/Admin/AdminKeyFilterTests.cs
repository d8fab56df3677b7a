using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Vod.Origin.Admin;

namespace Vod.Origin.Tests.Admin;

public sealed class AdminKeyFilterTests
{
    private const string Key = "test-admin-key-0123456789";

    private static AdminKeyFilter Filter() => new(Options.Create(new AdminOptions { Key = Key }));

    /// <summary>Digests of both sides are compared, so a prefix, an extension or a case change of the key is no match.</summary>
    [Theory]
    [InlineData(Key, true)]
    [InlineData(Key + "x", false)]
    [InlineData("test-admin-key-012345678", false)]
    [InlineData("test-admin-key-", false)]
    [InlineData("TEST-ADMIN-KEY-0123456789", false)]
    [InlineData("", false)]
    public void Matches_PresentedKey_OnlyTheWholeKey(string presented, bool expected)
    {
        using var filter = Filter();

        Assert.Equal(expected, filter.Matches(presented));
    }

    [Theory]
    [InlineData(null, 401)]
    [InlineData("Basic " + Key, 401)]
    [InlineData("Bearer test-admin-key-012345678", 403)]
    [InlineData("Bearer " + Key + "0", 403)]
    [InlineData("Bearer " + Key, null)]
    public void Check_AuthorizationHeader_RefusesAllButTheKey(string? authorization, int? expected)
    {
        using var filter = Filter();
        var http = new DefaultHttpContext();
        http.Connection.RemoteIpAddress = System.Net.IPAddress.Loopback;
        if (authorization is not null)
        {
            http.Request.Headers.Authorization = authorization;
        }

        var refusal = filter.Check(http);

        Assert.Equal(expected, (refusal as ProblemHttpResult)?.StatusCode);
        Assert.Equal(expected is null, refusal is null);
    }
}
