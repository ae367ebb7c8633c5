using System.Runtime.CompilerServices;

namespace ImagingCds.Guidelines;

/// <summary>
/// A policy's condition nodes numbered once (definitions, rules and their exceptions, each node by reference), and its
/// fact tests numbered by key, so an evaluation memoizes in arrays instead of growing dictionaries on every call.
/// </summary>
/// <remarks>Built on first use of a policy instance and then shared by every evaluation of it; never changes after.</remarks>
internal sealed class PolicyNodes
{
    private static readonly ConditionalWeakTable<Policy, PolicyNodes> Built = [];

    private readonly Dictionary<Predicate, int> _index = new(ReferenceEqualityComparer.Instance);
    private readonly List<int> _slotOfNode = [];
    private readonly Dictionary<string, int> _slotOfKey = new(StringComparer.Ordinal);
    private readonly List<int[]> _slotAlone = [];

    private PolicyNodes(Policy policy)
    {
        foreach (var definition in policy.Definitions.Values)
        {
            Number(definition.When);
        }

        foreach (var rule in policy.Rules)
        {
            Number(rule.When);
            foreach (var exception in rule.Unless)
            {
                Number(exception);
            }
        }
    }

    /// <summary>How many condition nodes the policy has.</summary>
    public int Count => _slotOfNode.Count;

    /// <summary>How many distinct fact test keys the policy has.</summary>
    public int Slots => _slotAlone.Count;

    public static PolicyNodes Of(Policy policy) => Built.GetValue(policy, p => new PolicyNodes(p));

    public int IndexOf(Predicate node) => _index[node];

    /// <summary>The slot of a fact test node, shared by every test of the policy with the same key; -1 for other nodes.</summary>
    public int SlotOf(int node) => _slotOfNode[node];

    /// <summary>A one-element list holding just this slot (shared; never to be changed).</summary>
    public int[] Alone(int slot) => _slotAlone[slot];

    private void Number(Predicate node)
    {
        if (_index.ContainsKey(node))
        {
            return;
        }

        _index[node] = _slotOfNode.Count;
        var slot = -1;
        if (node is FactTest test && !_slotOfKey.TryGetValue(test.Key, out slot))
        {
            slot = _slotAlone.Count;
            _slotOfKey[test.Key] = slot;
            _slotAlone.Add([slot]);
        }

        _slotOfNode.Add(slot);
        foreach (var child in Children(node))
        {
            Number(child);
        }
    }

    private static IEnumerable<Predicate> Children(Predicate node) => node switch
    {
        AllOf all => all.Items,
        AnyOf any => any.Items,
        NotOf not => [not.Item],
        AtLeastOf atLeast => atLeast.Items,
        _ => [],
    };
}
