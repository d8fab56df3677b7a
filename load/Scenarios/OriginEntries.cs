using Vod.Load.Viewer;

namespace Vod.Load.Scenarios;

/// <summary>
/// The origin entry URLs (<c>--origin a,b</c>) for the tool's own calls: the catalog, the fleet, a purge, an upload's
/// status. A call goes to the first entry and moves to the next on a network error, a time-out or a 5xx, as a viewer's
/// master request does; any other answer (a 404 too) is the answer.
/// </summary>
internal sealed class OriginEntries(HttpClient http, IReadOnlyList<Uri> entries)
{
    /// <summary>The set-up calls' limit per entry.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public HttpClient Http { get; } = http;

    public IReadOnlyList<Uri> Entries { get; } = entries.Count > 0 ? entries : throw new ArgumentException("no entry", nameof(entries));

    /// <summary>The first entry's URL of <paramref name="pathAndQuery"/>, for messages.</summary>
    public Uri First(string pathAndQuery) => new(Entries[0], pathAndQuery);

    /// <summary>Sends the request <paramref name="build"/> makes for each entry in turn and answers the first that is not an outage.</summary>
    /// <exception cref="HttpRequestException">every entry failed; the message names each failure.</exception>
    public async Task<(HttpResponseMessage Response, Uri Entry)> SendAsync(Func<Uri, HttpRequestMessage> build, TimeSpan timeout, CancellationToken ct)
    {
        var failures = new List<string>();
        string? path = null;
        foreach (var entry in Entries)
        {
            using var request = build(entry);
            path ??= request.RequestUri?.AbsolutePath;
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(timeout);
            try
            {
                var response = await Http.SendAsync(request, limit.Token);
                if ((int)response.StatusCode < 500)
                {
                    return (response, entry);
                }

                failures.Add($"{entry.Authority}: http {(int)response.StatusCode}");
                response.Dispose();
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                failures.Add($"{entry.Authority}: timeout");
            }
            catch (HttpRequestException e)
            {
                failures.Add($"{entry.Authority}: {HlsLoader.Describe(e)}");
            }
            catch (IOException)
            {
                failures.Add($"{entry.Authority}: connection reset");
            }
        }

        throw new HttpRequestException($"{path}: every origin entry failed ({string.Join("; ", failures)})");
    }

    /// <summary>A GET that must succeed: its body, and the URL on the entry that answered.</summary>
    public async Task<(string Text, Uri Uri)> GetStringAsync(string pathAndQuery, CancellationToken ct, TimeSpan? timeout = null)
    {
        var (response, entry) = await SendAsync(e => new HttpRequestMessage(HttpMethod.Get, new Uri(e, pathAndQuery)), timeout ?? DefaultTimeout, ct);
        using (response)
        {
            var uri = new Uri(entry, pathAndQuery);
            return response.IsSuccessStatusCode
                ? (await response.Content.ReadAsStringAsync(ct), uri)
                : throw new HttpRequestException($"{uri} answered {(int)response.StatusCode}", null, response.StatusCode);
        }
    }
}
