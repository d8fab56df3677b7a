using System.Net;
using Microsoft.Extensions.Options;
using Vod.Common.Security;
using Vod.Integration.Tests.EndToEnd;
using Vod.Integration.Tests.Infrastructure;

namespace Vod.Integration.Tests.Security;

/// <summary>With signed playback, the storyboard's sheets are signed edge URLs, and the same sheets unsigned are 403.</summary>
[Collection(SignedStackDefinition.Name)]
public sealed class SignedTrickplayTests(SignedStackFixture fixture)
{
    private readonly StackFixture _stack = fixture.Stack;

    [Fact]
    public async Task Storyboard_SheetsAreSignedEdgeUrls_AndUnsignedSheetsAre403()
    {
        var sample = await _stack.SampleTitleAsync();
        var tokens = new PlaybackTokens(Options.Create(new PlaybackOptions { SigningKey = SignedStackFixture.SigningKey }), TimeProvider.System);

        var cues = TrickplayTests.Cues(await _stack.Http.GetStringAsync($"{_stack.Origin.BaseUrl}/play/{sample.Id}/storyboard.vtt"));

        foreach (var url in cues.Select(c => c.Url).Distinct())
        {
            var edge = _stack.Edges.Single(e => url.StartsWith(e.BaseUrl + "/t/", StringComparison.Ordinal));
            Assert.True(PlaybackTokens.TrySplitSignedPath(new Uri(url).AbsolutePath, out var token, out var media), url);
            Assert.Equal(TokenCheck.Valid, tokens.Verify(token, sample.Id));
            using var signed = await _stack.Http.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, signed.StatusCode);
            Assert.Equal("image/jpeg", signed.Content.Headers.ContentType?.MediaType);

            foreach (var server in new[] { edge.BaseUrl, _stack.Origin.BaseUrl })
            {
                using var unsigned = await _stack.Http.GetAsync($"{server}/titles/{media}");
                Assert.Equal(HttpStatusCode.Forbidden, unsigned.StatusCode);
            }
        }
    }
}
