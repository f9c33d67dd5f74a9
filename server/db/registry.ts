/**
 * Every entity and migration, listed explicitly (no globs: globbed .ts files bypass the SWC/tsc transform and lose
 * their decorator metadata). Features add their own lines here.
 */
import { Region } from '../regions/region.entity';
import { Unit } from '../units/unit.entity';
import { Account } from '../accounts/account.entity';
import { AccountService } from '../accounts/account-service.entity';
import { Post } from '../accounts/post.entity';
import { Message } from '../accounts/message.entity';
import { AccountStatusChange } from '../accounts/status-change.entity';
import { AccountGraph1732300000000 } from '../../migrations/1732300000000-AccountGraph';

export const ENTITIES = [Region, Unit, Account, AccountService, Post, Message, AccountStatusChange];

export const MIGRATIONS = [AccountGraph1732300000000];
