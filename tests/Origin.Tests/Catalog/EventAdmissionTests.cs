using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Vod.Origin.Catalog;

namespace Vod.Origin.Tests.Catalog;

public sealed class EventAdmissionTests
{
    private static readonly IPAddress A = IPAddress.Parse("198.51.100.1");
    private static readonly IPAddress B = IPAddress.Parse("198.51.100.2");
    private static readonly IPAddress C = IPAddress.Parse("198.51.100.3");

    private static EventAdmission Admission() => new(Options.Create(new EventsOptions { MaxPerClient = 2, MaxConnections = 3 }));

    private static int? Status(IResult? refusal) => (refusal as IStatusCodeHttpResult)?.StatusCode;

    [Fact]
    public void TryAdmit_PastTheCaps_Is429PerClientAnd503Overall()
    {
        var admission = Admission();
        var statuses = new[] { A, A, A, B, C }.Select(ip =>
        {
            admission.TryAdmit(ip, out var refusal);
            return Status(refusal);
        }).ToList();

        Assert.Equal([null, null, 429, null, 503], statuses);
        Assert.Equal(3, admission.Open);
    }

    [Fact]
    public void TryAdmit_AfterAStreamEnds_AdmitsAgain()
    {
        var admission = Admission();
        var first = admission.TryAdmit(A, out _)!;
        admission.TryAdmit(A, out _);
        Assert.Null(admission.TryAdmit(A, out _));

        first.Dispose();
        first.Dispose(); // a second dispose frees nothing more

        Assert.NotNull(admission.TryAdmit(A, out var refusal));
        Assert.Null(refusal);
        Assert.Equal(2, admission.Open);
    }

    [Fact]
    public void TryAdmit_MappedAndPlainIPv4_AreOneClient()
    {
        var admission = Admission();
        admission.TryAdmit(A, out _);
        admission.TryAdmit(A.MapToIPv6(), out _);

        admission.TryAdmit(A, out var refusal);

        Assert.Equal(429, Status(refusal));
    }
}
