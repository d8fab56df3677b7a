using Xunit.Abstractions;
using Xunit.Sdk;

namespace Vod.Integration.Tests.Infrastructure;

/// <summary>
/// Runs a class's tests in the order of their method names (then display names), for a class whose tests share a
/// fixture and can reuse what an earlier one made: <c>[TestCaseOrderer(AlphabeticalOrderer.Name, AlphabeticalOrderer.Assembly)]</c>.
/// Each test must still pass in any order; this only picks the cheaper one.
/// </summary>
public sealed class AlphabeticalOrderer : ITestCaseOrderer
{
    public const string Name = "Vod.Integration.Tests.Infrastructure.AlphabeticalOrderer";
    public const string Assembly = "Vod.Integration.Tests";

    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases)
        where TTestCase : ITestCase =>
        testCases.OrderBy(t => t.TestMethod.Method.Name, StringComparer.Ordinal).ThenBy(t => t.DisplayName, StringComparer.Ordinal);
}
