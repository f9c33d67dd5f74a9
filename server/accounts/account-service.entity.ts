import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, ObjectType } from 'type-graphql';

/** 办事服务 offered by an account (query, booking, handling). `originAccountId` records where a migrated service came from. */
@ObjectType('AccountService', { description: '办事服务 (a service an account offers)' })
@Entity('services')
export class AccountService {
  @Field(() => ID)
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Column('int', { name: 'account_id' })
  accountId: number;

  @Field(() => String)
  @Column('text')
  name: string;

  @Field(() => String, { nullable: true })
  @Column('text', { nullable: true })
  category: string | null;

  @Column('int', { name: 'origin_account_id', nullable: true })
  originAccountId: number | null;
}
