using Vod.Integration.Tests.Infrastructure;
using Xunit.Abstractions;

[assembly: TestCollectionOrderer(LongestFirstOrderer.Name, LongestFirstOrderer.Assembly)]

namespace Vod.Integration.Tests.Infrastructure;

/// <summary>
/// The order collections start in: the parallel ones run two at a time, each taking the next free slot, so the longest
/// start first and the short ones fill in around them (a long one started last runs alone at the end of the parallel
/// phase). The list is by measured wall time, longest first; every other collection follows in xunit's default order
/// (by the hash of its id). It changes when a collection runs, never what runs together with what beyond that.
/// </summary>
public sealed class LongestFirstOrderer : ITestCollectionOrderer
{
    public const string Name = "Vod.Integration.Tests.Infrastructure.LongestFirstOrderer";
    public const string Assembly = "Vod.Integration.Tests";

    private static readonly string[] Longest =
    [
        PerClass(typeof(Storage.S3StackTests)),
        PerClass(typeof(Security.EdgeAbuseTests)),
        PerClass(typeof(Security.RegistryPoisoningTests)),
        PerClass(typeof(Security.PurgeTests)),
        PerClass(typeof(Security.RedisAclTests)),
        UntimedStackDefinition.Name,
        SignedStackDefinition.Name,
        PerClass(typeof(Security.OperationalAccessTests)),
        PerClass(typeof(Security.AdminAndRedisAccessTests)),
        PerClass(typeof(Security.RedisAclStackTests)),
    ];

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections
            .OrderBy(c => Array.IndexOf(Longest, c.DisplayName) is var i and >= 0 ? i : Longest.Length)
            .ThenBy(c => c.UniqueID.GetHashCode());

    /// <summary>The name xunit gives the collection of a class that names none.</summary>
    private static string PerClass(Type testClass) => "Test collection for " + testClass.FullName;
}
