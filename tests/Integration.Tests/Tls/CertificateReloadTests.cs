using System.Net;
using Vod.Integration.Tests.Infrastructure;

namespace Vod.Integration.Tests.Tls;

/// <summary>
/// A renewal as certbot or cert-manager makes one: the certificate and key files are overwritten in place, and within a
/// few reload intervals new connections get the new certificate, without a restart and without failing a request. A
/// pair that does not load (a new certificate whose key is not written yet) leaves the old one in use.
/// </summary>
[Collection(TlsStackDefinition.Name)]
public sealed class CertificateReloadTests(TlsStackFixture fixture)
{
    private readonly StackFixture _stack = fixture.Stack;
    private readonly TestCertificates _certificates = fixture.Certificates;

    [Fact]
    public async Task CertificateFilesReplaced_NewConnectionsGetTheNewOne_WhileServingGoesOn()
    {
        var before = TestCertificates.ThumbprintOf(_certificates.ServerCertificate);
        Assert.Equal(before, await PresentedAsync(_stack.Edges[0]));
        var renewal = _certificates.IssueServer("renewal");
        Assert.NotEqual(before, renewal.Thumbprint);

        // Requests on connections made before the swap, all through it: none fails, and none needs a new handshake.
        var handshakes = 0;
        using var client = _certificates.NewHttpClient(_ => Interlocked.Increment(ref handshakes));
        using var stop = new CancellationTokenSource();
        var serving = ServeUntilAsync(client, stop.Token);
        await Task.Delay(300);

        Install(renewal.CertificatePath, renewal.KeyPath);
        await Eventually.TrueAsync(async () => await PresentedAsync(_stack.Edges[0]) == renewal.Thumbprint
            && await PresentedAsync(_stack.Origin) == renewal.Thumbprint, TimeSpan.FromSeconds(5), "the renewed certificate is not presented");
        await Task.Delay(300);
        await stop.CancelAsync();
        var (served, failures) = await serving;

        Assert.Empty(failures);
        Assert.True(served > 10, $"only {served} requests served during the swap");
        Assert.Equal(2, Volatile.Read(ref handshakes)); // one connection to the edge, one to the origin, kept throughout
        Assert.Equal(renewal.Thumbprint, await PresentedAsync(_stack.Edges[1]));
    }

    [Fact]
    public async Task CertificateWithoutItsKey_KeepsTheCurrentOne_UntilTheKeyFollows()
    {
        var current = _certificates.IssueServer("current");
        Install(current.CertificatePath, current.KeyPath);
        await Eventually.TrueAsync(async () => await PresentedAsync(_stack.Edges[0]) == current.Thumbprint, TimeSpan.FromSeconds(5));
        var next = _certificates.IssueServer("next");
        var refusals = NotLoadedCount(_stack.Edges[0]);

        File.Copy(next.CertificatePath, _certificates.ServerCertificate, overwrite: true); // the key file still holds the current key
        await Eventually.TrueAsync(() => NotLoadedCount(_stack.Edges[0]) > refusals, TimeSpan.FromSeconds(5), "the edge did not try the broken pair");

        Assert.Equal(current.Thumbprint, await PresentedAsync(_stack.Edges[0]));
        using (var response = await _stack.Http.GetAsync(_stack.Edges[0].BaseUrl + fixture.SignedPath(TlsStackFixture.PlaylistPath)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        File.Copy(next.KeyPath, _certificates.ServerKey, overwrite: true);
        await Eventually.TrueAsync(async () => await PresentedAsync(_stack.Edges[0]) == next.Thumbprint, TimeSpan.FromSeconds(5),
            "the completed pair is not presented");
    }

    /// <summary>Overwrites the stack's certificate and key files in place, the certificate first.</summary>
    private void Install(string certificate, string key)
    {
        File.Copy(certificate, _certificates.ServerCertificate, overwrite: true);
        File.Copy(key, _certificates.ServerKey, overwrite: true);
    }

    /// <summary>The thumbprint of the certificate a new connection to the service is shown (a fresh client, so a fresh handshake).</summary>
    private async Task<string?> PresentedAsync(ServiceProcess service)
    {
        string? thumbprint = null;
        using var client = _certificates.NewHttpClient(c => thumbprint = c.Thumbprint);
        using var response = await client.GetAsync(service.BaseUrl + "/healthz");
        response.EnsureSuccessStatusCode();
        return thumbprint;
    }

    private static int NotLoadedCount(ServiceProcess service) =>
        service.Log.Split('\n').Count(l => l.Contains("do not load yet", StringComparison.Ordinal));

    private async Task<(int Served, List<string> Failures)> ServeUntilAsync(HttpClient client, CancellationToken stop)
    {
        var served = 0;
        var failures = new List<string>();
        var urls = new[] { _stack.Edges[0].BaseUrl, _stack.Origin.BaseUrl }.Select(u => u + fixture.SignedPath(TlsStackFixture.PlaylistPath)).ToArray();
        while (!stop.IsCancellationRequested)
        {
            foreach (var url in urls)
            {
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, url) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
                    using var response = await client.SendAsync(request, CancellationToken.None);
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        failures.Add($"{url}: {(int)response.StatusCode}");
                    }

                    served++;
                }
                catch (HttpRequestException e)
                {
                    failures.Add($"{url}: {e.Message}");
                }
            }

            await Task.Delay(20, CancellationToken.None);
        }

        return (served, failures);
    }
}
