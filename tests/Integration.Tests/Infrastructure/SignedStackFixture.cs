namespace Vod.Integration.Tests.Infrastructure;

/// <summary>The whole stack with signed playback on: the origin and both edges share <see cref="SigningKey"/>.</summary>
public sealed class SignedStackFixture : IAsyncLifetime
{
    public const string SigningKey = "test-signing-key-0123456789abcdefghij";

    public StackFixture Stack { get; } = new()
    {
        Settings = new Dictionary<string, string> { ["Playback__SigningKey"] = SigningKey },
    };

    public Task InitializeAsync() => Stack.InitializeAsync();

    public Task DisposeAsync() => Stack.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class SignedStackDefinition : ICollectionFixture<SignedStackFixture>
{
    public const string Name = "signed-stack";
}
