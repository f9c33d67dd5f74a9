import { Entity, PrimaryColumn } from 'typeorm';

/** An action cites a finding it answers. */
@Entity('plan_action_findings')
export class PlanActionFinding {
  @PrimaryColumn('int', { name: 'action_id' })
  actionId: number;

  @PrimaryColumn('int', { name: 'finding_id' })
  findingId: number;
}
