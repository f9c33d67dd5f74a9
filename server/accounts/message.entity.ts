import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, ObjectType } from 'type-graphql';

/** 留言/互动 from the public; `repliedAt` null means unanswered. */
@ObjectType({ description: '公众留言 (message)' })
@Entity('messages')
export class Message {
  @Field(() => ID)
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id: string;

  @Column('int', { name: 'account_id' })
  accountId: number;

  @Field(() => Date)
  @Column('timestamptz', { name: 'received_at' })
  receivedAt: Date;

  @Field(() => Date, { nullable: true })
  @Column('timestamptz', { name: 'replied_at', nullable: true })
  repliedAt: Date | null;
}
