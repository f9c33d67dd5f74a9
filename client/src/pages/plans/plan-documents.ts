import { graphql } from '../../graphql/generated';

/** The GraphQL documents of the plan screens (list, editor, execution), next to the components that use them. */

export const PlanSummaryFragment = graphql(`
  fragment PlanSummary on Plan {
    id
    title
    status
    revision
    version
    authorName
    updatedAt
    submittedAt
    scopeRegion {
      code
      name
    }
    scopeUnit {
      id
      name
    }
  }
`);

export const PlanAccountFragment = graphql(`
  fragment PlanAccount on Account {
    id
    name
    platform
    status
    isMain
    followers
    unit {
      id
      name
    }
  }
`);

export const PlanActionRowFragment = graphql(`
  fragment PlanActionRow on PlanAction {
    id
    type
    newName
    rectification
    note
    findingIds
    protectedReasons
    overrideReason
    servicesMode
    account {
      ...PlanAccount
      postCount
      services {
        id
        name
      }
    }
    target {
      ...PlanAccount
    }
    serviceTarget {
      ...PlanAccount
    }
    contentTarget {
      ...PlanAccount
    }
    findings {
      id
      rule
      severity
      status
      summary
    }
  }
`);

export const PlansListQuery = graphql(`
  query PlansList($filter: PlanFilter, $after: String) {
    plans(filter: $filter, first: 50, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          ...PlanSummary
          actions {
            id
          }
        }
      }
    }
  }
`);

export const PlanDetailQuery = graphql(`
  query PlanDetail($id: ID!) {
    plan(id: $id) {
      ...PlanSummary
      description
      viewerCanEdit
      availableTransitions
      createdAt
      decidedAt
      executionStartedAt
      completedAt
      noticeWorkingDays
      actions {
        ...PlanActionRow
      }
      validation {
        valid
        errors {
          ...Issue
        }
        warnings {
          ...Issue
        }
      }
      revisions {
        id
        number
        comment
        submittedAt
        submittedByName
        snapshot
      }
      approvalRequests {
        id
        status
        reason
        carriedOver
        revision
        canDecide
        unit {
          id
          name
        }
        action {
          id
        }
        approval {
          id
          decision
          comment
          approverName
          byDelegation
          decidedAt
        }
      }
      approvals {
        id
        decision
        comment
        approverName
        byDelegation
        decidedAt
        revision
        unit {
          id
          name
        }
        action {
          id
        }
      }
      steps {
        ...StepRow
      }
    }
  }
`);

export const IssueFragment = graphql(`
  fragment Issue on ValidationIssue {
    code
    severity
    actionId
    accountId
    message
  }
`);

export const StepRowFragment = graphql(`
  fragment StepRow on ExecutionStep {
    id
    kind
    seq
    status
    doneOn
    earliestOn
    confirmedAt
    confirmedByName
    byDelegation
    confirmedUnit {
      id
      name
    }
    note
    movedPosts
    movedServices
    evidence
    overrideReason
    canConfirm
    action {
      id
    }
  }
`);

export const PlanImpactQuery = graphql(`
  query PlanImpact($id: ID!) {
    plan(id: $id) {
      id
      version
      impact {
        revision
        frozenAt
        frozenOn
        accountsBefore
        accountsAfter
        byLevelPlatform {
          level
          platform
          before
          after
        }
        followersBefore
        followersAfter
        servicesBefore
        servicesKept
        servicesKeptRatio
        postsBefore
        postsKept
        findingsResolved
        findingsResolvedByRule {
          rule
          count
        }
        passRateBefore
        passRateAfter
        passRateMethod
      }
    }
  }
`);

export const AccountForActionQuery = graphql(`
  query AccountForAction($id: ID!) {
    account(id: $id) {
      ...PlanAccount
      services {
        id
      }
      findings {
        id
        rule
        severity
        status
        summary
      }
    }
  }
`);

export const SuggestedMainQuery = graphql(`
  query SuggestedMain($unitId: ID!) {
    suggestedMainAccounts(unitId: $unitId) {
      platform
      score
      reasons
      accountsOnPlatform
      account {
        ...PlanAccount
      }
    }
  }
`);

export const CreatePlanMutation = graphql(`
  mutation CreatePlan($input: CreatePlanInput!) {
    createPlan(input: $input) {
      id
    }
  }
`);

export const DraftPlanMutation = graphql(`
  mutation DraftPlan($input: DraftPlanInput!) {
    draftPlanFromFindings(input: $input) {
      actionCount
      findingsUsed
      skipped
      plan {
        id
      }
    }
  }
`);

export const AddActionMutation = graphql(`
  mutation AddAction($planId: ID!, $input: AddActionInput!, $expectedVersion: Int) {
    addAction(planId: $planId, input: $input, expectedVersion: $expectedVersion) {
      id
    }
  }
`);

export const UpdateActionMutation = graphql(`
  mutation UpdateAction($actionId: ID!, $input: UpdateActionInput!, $expectedVersion: Int) {
    updateAction(actionId: $actionId, input: $input, expectedVersion: $expectedVersion) {
      id
    }
  }
`);

export const RemoveActionMutation = graphql(`
  mutation RemoveAction($actionId: ID!, $expectedVersion: Int) {
    removeAction(actionId: $actionId, expectedVersion: $expectedVersion) {
      id
      version
    }
  }
`);

export const UpdatePlanMutation = graphql(`
  mutation UpdatePlan($id: ID!, $input: UpdatePlanInput!, $expectedVersion: Int) {
    updatePlan(id: $id, input: $input, expectedVersion: $expectedVersion) {
      id
      version
      title
      description
    }
  }
`);

export const SubmitPlanMutation = graphql(`
  mutation SubmitPlan($id: ID!, $expectedVersion: Int, $comment: String) {
    submitPlan(id: $id, expectedVersion: $expectedVersion, comment: $comment) {
      id
      status
      version
      revision
    }
  }
`);

export const WithdrawPlanMutation = graphql(`
  mutation WithdrawPlan($id: ID!, $expectedVersion: Int, $comment: String) {
    withdrawPlan(id: $id, expectedVersion: $expectedVersion, comment: $comment) {
      id
      status
      version
    }
  }
`);

export const StartExecutionMutation = graphql(`
  mutation StartExecution($id: ID!, $expectedVersion: Int) {
    startExecution(id: $id, expectedVersion: $expectedVersion) {
      id
      status
      version
    }
  }
`);

export const ConfirmStepMutation = graphql(`
  mutation ConfirmStep($stepId: ID!, $date: String, $note: String, $evidenceTitle: String, $evidenceUrl: String, $overrideReason: String) {
    confirmStep(stepId: $stepId, date: $date, note: $note, evidenceTitle: $evidenceTitle, evidenceUrl: $evidenceUrl, overrideReason: $overrideReason) {
      ...StepRow
    }
  }
`);
